// Absolute paths tests share: the repository, the CLI entry, the probe and the scratch folder.
import path from 'node:path';

/** Repository root, whatever folder mocha was started from. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** `npx runtime-lens` entry; tests run it with the current node to avoid npx start-up time. */
export const CLI_ENTRY = path.join(REPO_ROOT, 'remote-agent', 'bin', 'runtime-lens.js');

/** The probe binary built by `make -C bpf/linux`. */
export const PROBE_BINARY = path.join(REPO_ROOT, 'bpf', 'linux', '.output', 'lens-probe');

/** Ignored scratch folder for compiled fixtures, logs and temporary workspaces. */
export const TEST_OUTPUT = path.join(REPO_ROOT, 'test-output');

/** Source folder of the fixture programs. */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
