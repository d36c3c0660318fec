// Fixture programs for tests: compiles the C fixtures on demand into
// test-output/fixtures (rebuilt when the source is newer), and makes fresh
// scratch folders for workloads to run in.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, TEST_OUTPUT } from './paths';

/** The C fixtures in test/fixtures/c. */
export type CFixture = 'fileops' | 'spawn' | 'net' | 'attachee' | 'burst' | 'renames' | 'names' | 'tpfill' | 'syscalls' | 'reuse' | 'seccomp-workload';

const BIN_DIR = path.join(TEST_OUTPUT, 'fixtures');

/** Path of the compiled C fixture `name`, compiling it first when needed. */
export function cFixture(name: CFixture): string {
  const source = path.join(FIXTURES, 'c', `${name}.c`);
  const binary = path.join(BIN_DIR, name);
  let fresh = false;
  try {
    fresh = statSync(binary).mtimeMs >= statSync(source).mtimeMs;
  } catch {
    // not built yet
  }
  if (!fresh) {
    mkdirSync(BIN_DIR, { recursive: true });
    const tmp = `${binary}.${process.pid}.tmp`;
    try {
      execFileSync('gcc', ['-O1', '-g', '-Wall', '-Wextra', '-Werror', '-o', tmp, source], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`compiling fixture ${source} failed (is gcc installed? run npm run setup):\n${e.stderr?.toString() ?? e.message}`, { cause: err });
    }
    renameSync(tmp, binary);
  }
  return binary;
}

/** Path of a script fixture, e.g. scriptFixture('python/ops.py'). */
export function scriptFixture(relative: string): string {
  return path.join(FIXTURES, relative);
}

/** A new empty folder under test-output/work for one workload run. */
export function scratchDir(label: string): string {
  const base = path.join(TEST_OUTPUT, 'work');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `${label}-`));
}

/** Interpreters the fixtures are run with (Debian paths, so exec filenames are exact). */
export const PYTHON = '/usr/bin/python3';
export const SHELL = '/bin/sh';
export const NODE = process.execPath;
