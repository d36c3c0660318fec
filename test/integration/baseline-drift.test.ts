// Baselines and drift with the real probe: `baseline record` of a Node app, then the same app with one
// extra connection under `trace --baseline` gives exactly one finding, that connection, at its line.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBpf } from '../helpers/bpf';
import { NODE, scratchDir, scriptFixture } from '../helpers/fixtures';
import { runCli } from '../helpers/trace';
import type { FindingEvent } from '../../remote-agent/src/protocol';
import { stablePath } from '../../remote-agent/src/baseline/behaviour';

/** The drift app in a fresh folder, its package under node_modules/evil-pkg. */
function driftApp(): string {
  const dir = realpathSync(scratchDir('drift'));
  copyFileSync(scriptFixture('node/drift/app.js'), path.join(dir, 'app.js'));
  writeFileSync(path.join(dir, 'config.json'), '{}\n');
  const pkg = path.join(dir, 'node_modules', 'evil-pkg');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(scriptFixture('node/drift/evil-pkg.js'), path.join(pkg, 'index.js'));
  writeFileSync(path.join(pkg, 'package.json'), '{"name":"evil-pkg","version":"1.0.0"}\n');
  return dir;
}

function markedLine(file: string, mark: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(`@mark ${mark}`)) + 1;
}

describe('baseline and drift', function () {
  this.timeout(90_000);
  before(function () {
    requireBpf(this);
  });

  it('a run with one more connection than its baseline gives exactly that drift finding, at the line that made it', async function () {
    const dir = driftApp();
    const baseline = path.join(dir, 'baseline.json');
    const rec = await runCli(['baseline', 'record', '-o', baseline, '--', NODE, 'app.js'], { cwd: dir, ndjson: false });
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stderr, /baseline written to .*baseline\.json: \d+ executables, \d+ file groups, \d+ endpoints, \d+ syscalls/);
    const profile = JSON.parse(readFileSync(baseline, 'utf8')) as { executables: { behaviour: string }[]; files: { behaviour: string; packages: string[] }[] };
    assert.ok(profile.executables.some((e) => e.behaviour === '/bin/true'), JSON.stringify(profile.executables));
    // the profile's folder as it groups it: a checkout under /tmp (a CI clone) has its temp folder as *
    const ownFolder = `read ${stablePath(`${dir}/node_modules/evil-pkg`)}`;
    const own = profile.files.find((f) => f.behaviour === ownFolder);
    assert.deepEqual(own?.packages, ['evil-pkg'], `the package is seen reading its own folder (${ownFolder}); file groups: ${profile.files.map((f) => f.behaviour).join(', ')}`);

    const same = await runCli(['trace', '--json', '--baseline', baseline, '--', NODE, 'app.js'], { cwd: dir });
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(same.events.filter((e) => e.kind === 'finding'), [], 'the same run has no drift (nor any finding)');

    const drift = await runCli(['trace', '--json', '--baseline', baseline, '--', NODE, 'app.js'], { cwd: dir, env: { DRIFT_EXTRA: '1' } });
    assert.equal(drift.code, 0, drift.stderr);
    // the default rules may flag the connection too (4444 is a mining pool port): drift findings are those tagged so
    const findings = drift.events.filter((e): e is FindingEvent => e.kind === 'finding' && e.tags.includes('drift'));
    const line = markedLine(path.join(dir, 'node_modules/evil-pkg/index.js'), 'extra-connect');
    assert.deepEqual(findings.map((f) => f.output), [`new: connects to 127.0.0.1:4444 from node_modules/evil-pkg/index.js:${line}`]);
    assert.equal(findings[0].rule, 'New network endpoint (not in the baseline)');
    assert.deepEqual([findings[0].priority, findings[0].tags, findings[0].event.kind, 'dport' in findings[0].event && findings[0].event.dport], ['warning', ['drift', 'endpoint'], 'connect', 4444]);
    const at = drift.events.indexOf(findings[0]);
    const before = drift.events.slice(0, at).reverse().find((e) => e.kind !== 'finding');
    assert.deepEqual(before, findings[0].event, 'the finding follows its event (after the rules\' findings of it)');
  });
});
