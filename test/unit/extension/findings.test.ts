// Findings in the editor: grouped by rule with counts, placed at their source line or on the file
// that started the program, and the workspace's rule files and disabled rules.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { FindingEvent, LensEvent } from '../../../remote-agent/src/protocol';
import { findingPlace, originOf } from '../../../extension/src/findings/findingPlace';
import { FindingsIndex } from '../../../extension/src/findings/findingsIndex';
import { readRuleSettings } from '../../../extension/src/findings/ruleSettings';

const open: LensEvent = { ts: 1, pid: 7, tid: 7, ppid: 1, uid: 1000, comm: 'node', key: '7:1', kind: 'open', syscall: 'openat', path: '/home/u/.ssh/id_rsa', flags: 'O_RDONLY', ret: 3 };
const finding = (rule: string, priority: FindingEvent['priority'], source?: FindingEvent['source']): FindingEvent =>
  ({ ...open, kind: 'finding', rule, priority, output: `${rule} by node`, tags: [], event: open, ...(source ? { source } : {}) });

describe('findings in the editor', function () {
  it('groups findings by rule with counts, highest priority first', function () {
    const idx = new FindingsIndex();
    const added = idx.add([open, finding('Shell from install script', 'warning'), finding('SSH key read', 'critical'), finding('Shell from install script', 'warning')]);
    assert.equal(added.length, 3, 'only findings are added');
    assert.deepEqual(idx.groups().map((g) => [g.rule, g.count, g.priority]), [['SSH key read', 1, 'critical'], ['Shell from install script', 2, 'warning']]);
    assert.equal(idx.total, 3);
  });

  it('a finding is placed at its source line, mapped to a local path; without one, on the file that started the program', function () {
    const f = finding('SSH key read', 'critical', { file: '/srv/app/install.js', line: 4, column: 3 });
    assert.deepEqual(findingPlace(f, undefined, (p) => p.replace('/srv/app', '/home/me/app')), { file: '/home/me/app/install.js', line: 4, column: 3 });
    const pkg = ['{', '  "name": "demo",', '  "scripts": {', '    "test": "node t.js",', '    "postinstall": "node install.js"', '  }', '}'].join('\n');
    const files: Record<string, string> = { '/w/package.json': pkg, '/w/.vscode/launch.json': '{\n "configurations": [\n  { "name": "Launch app" }\n ]\n}', '/w/app.py': '' };
    const read = (p: string) => files[p];
    assert.deepEqual(originOf({ kind: 'launch', command: ['npm', 'install'], cwd: '/w' }, read), { file: '/w/package.json', line: 5 }, 'npm install: its install script');
    assert.deepEqual(originOf({ kind: 'launch', command: ['npm', 'test'] }, read, '/w'), { file: '/w/package.json', line: 4 });
    assert.deepEqual(originOf({ kind: 'launch', command: ['env', '-u', 'X', 'HOME=/tmp/h', 'npm', 'install', '--offline'], cwd: '/w' }, read), { file: '/w/package.json', line: 5 }, 'npm install under env: its install script');
    assert.deepEqual(originOf({ kind: 'launch', command: ['sudo', '-E', 'python3', 'app.py'], cwd: '/w' }, read), { file: '/w/app.py', line: 1 });
    assert.deepEqual(originOf({ kind: 'launch', command: ['yarn', 'run', 'test'], cwd: '/w' }, read), { file: '/w/package.json', line: 4 });
    assert.deepEqual(originOf({ kind: 'debug', pid: 3, name: 'Launch app', debugType: 'node' }, read, '/w'), { file: '/w/.vscode/launch.json', line: 3 });
    assert.deepEqual(originOf({ kind: 'launch', command: ['python3', 'app.py'], cwd: '/w' }, read), { file: '/w/app.py', line: 1 });
    assert.equal(originOf({ kind: 'launch', command: ['ls'], cwd: '/w' }, read), undefined);
    assert.equal(originOf({ kind: 'attach', pid: 3 }, read, '/w'), undefined);
    assert.deepEqual(findingPlace(finding('x', 'notice'), { file: '/w/package.json', line: 5 }), { file: '/w/package.json', line: 5 });
  });

  it('rule files: the setting\'s, relative to the workspace, then .runtime-lens/rules.yaml when it exists; disabled rules', function () {
    const ws = '/w';
    const { rules, problems } = readRuleSettings(['team.yaml', '/etc/lens/org.yaml'], ['Shell from install script'], ws, (p) => p === path.join(ws, '.runtime-lens', 'rules.yaml'));
    assert.deepEqual(rules, { files: ['/w/team.yaml', '/etc/lens/org.yaml', '/w/.runtime-lens/rules.yaml'], disabled: ['Shell from install script'] });
    assert.deepEqual(problems, []);
    const bad = readRuleSettings('rules.yaml', [3], undefined, () => false);
    assert.deepEqual(bad.rules, { files: [], disabled: [] });
    assert.match(bad.problems.join('\n'), /runtimeLens\.rules must be a list of strings; got "rules\.yaml"/);
    assert.match(bad.problems.join('\n'), /runtimeLens\.disabledRules must be a list of strings/);
  });
});
