// `trace --rules --fail-on --sarif` with the real probe: the SARIF log validates against the SARIF
// 2.1.0 schema and points at the fixture's source line; --fail-on decides the exit status; a Falco
// rule file with fields Runtime Lens lacks is reported rule by rule while its other rules run; a
// rule file with an error stops before tracing, naming file, line and column.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FindingEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { NODE, scratchDir, scriptFixture } from '../helpers/fixtures';
import { REPO_ROOT } from '../helpers/paths';
import { sarifErrors } from '../helpers/sarif-schema';
import { assertExit, runCli, trace } from '../helpers/trace';

const READ_KEY = scriptFixture('rules/read-key.js');
const KEY_LINE = readFileSync(READ_KEY, 'utf8').split('\n').findIndex((l) => l.includes('// LINE: read-key')) + 1;

const FALCO_RULES = `# rules written for Falco: two use container and Kubernetes fields
- macro: container
  condition: (container.id != host)

- rule: Read key in container
  desc: A key read inside a container
  condition: evt.type in (open, openat) and container and fd.name endswith id_rsa
  output: "key read in %container.name"
  priority: WARNING

- rule: Key read in namespace
  desc: A key read in a Kubernetes namespace
  condition: evt.type in (open, openat) and k8s.ns.name = default and fd.name endswith id_rsa
  output: "key read in %k8s.ns.name"
  priority: WARNING

- rule: Key read by node
  desc: A key read by a Node process
  condition: evt.type in (open, openat) and proc.name = node and fd.name endswith id_rsa
  output: "node read %fd.name (user=%user.name)"
  priority: NOTICE
  tags: [custom]
`;

describe('rules: trace --rules, --fail-on, --sarif', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;

  before(function () {
    requireBpf(this);
    dir = realpathSync(scratchDir('rules-cli'));
    home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n');
  });

  it('writes SARIF 2.1.0 that validates and points at the line that read the key, and exits 3 at --fail-on critical', async () => {
    const out = path.join(dir, 'findings.sarif');
    const run = await trace([NODE, READ_KEY], ['--stacks', '--fail-on', 'critical', '--sarif', out], { cwd: REPO_ROOT, env: { HOME: home } });
    assertExit(run, 3);
    assert.match(run.stderr, /1 finding at or above critical \(Read of SSH private key\): exit status 3/);
    const finding = run.events.find((e): e is FindingEvent => e.kind === 'finding' && e.rule === 'Read of SSH private key');
    assert.ok(finding, 'the finding is in the NDJSON stream');
    assert.deepEqual([finding.source?.file, finding.source?.line], [READ_KEY, KEY_LINE], JSON.stringify(finding.source));

    const log = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(sarifErrors(log), [], 'valid against the SARIF 2.1.0 schema');
    const [sarifRun] = log.runs;
    assert.ok(sarifRun.tool.driver.rules.some((r: { id: string }) => r.id === 'Read of SSH private key'));
    const result = sarifRun.results.find((r: { ruleId: string }) => r.ruleId === 'Read of SSH private key');
    assert.equal(result.level, 'error');
    assert.match(result.message.text, /read the SSH private key .*\.ssh\/id_rsa/);
    assert.deepEqual(result.locations[0].physicalLocation, {
      artifactLocation: { uri: 'test/fixtures/rules/read-key.js', uriBaseId: 'SRCROOT' },
      region: { startLine: KEY_LINE, startColumn: finding.source!.column },
    });
    assert.equal(sarifRun.originalUriBaseIds.SRCROOT.uri, `file://${REPO_ROOT}/`);
  });

  it('--fail-on: a finding below the threshold keeps the command\'s own status', async () => {
    const below = await trace([NODE, READ_KEY, '5'], ['--fail-on', 'emergency'], { env: { HOME: home } });
    assertExit(below, 5);
    assert.ok(below.events.some((e) => e.kind === 'finding'), 'the finding was still reported');
    const above = await trace([NODE, READ_KEY, '5'], ['--fail-on', 'warning'], { env: { HOME: home } });
    assertExit(above, 3);
    const none = await trace(['/bin/sh', '-c', 'exit 4'], ['--fail-on', 'debug'], { env: { HOME: home } });
    assertExit(none, 4);
  });

  it('reports a Falco rule file\'s rules that use fields it lacks, one by one, and runs its other rules', async () => {
    const file = path.join(dir, 'falco.yaml');
    writeFileSync(file, FALCO_RULES);
    const run = await trace([NODE, READ_KEY], ['--rules', file, '--no-default-rules'], { env: { HOME: home } });
    assertExit(run, 0);
    const warnings = run.stderr.split('\n').filter((l) => l.includes(': warning: '));
    assert.deepEqual(warnings, [
      `runtime-lens: ${file}:7:14: warning: rule 'Read key in container' skipped: it uses container.id, which Runtime Lens does not have (Falco fields of containers, Kubernetes, sessions or raw arguments)`,
      `runtime-lens: ${file}:13:14: warning: rule 'Key read in namespace' skipped: it uses k8s.ns.name, which Runtime Lens does not have (Falco fields of containers, Kubernetes, sessions or raw arguments)`,
    ]);
    const findings = run.events.filter((e): e is FindingEvent => e.kind === 'finding');
    assert.deepEqual(findings.map((f) => [f.rule, f.priority, f.tags, f.output]), [['Key read by node', 'notice', ['custom'], `node read ${home}/.ssh/id_rsa (user=root)`]]);
    assert.deepEqual(findings[0].ruleFile, { file, line: 17 });
  });

  it('stops before tracing on a rule file with an error, naming file, line, column and the closest field', async () => {
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, '- rule: typo\n  desc: d\n  condition: evt.type = openat and proc.nmae = cat\n  output: x\n  priority: WARNING\n');
    const run = await runCli(['trace', '--rules', file, '--', '/bin/true'], { ndjson: false });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:3:36: error: unknown field 'proc\\.nmae'; did you mean 'proc\\.name'\\?`));
    assert.doesNotMatch(run.stderr, /lost=/, 'nothing was traced');
  });
});
