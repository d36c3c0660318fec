// One setcap command for the probe, the same in doctor, initialize's problem, a session's start
// error and the probe's own message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ProbeErrorCode } from '../../../remote-agent/src/decode/layout';
import { hasProbeCapabilities, privilegeFixes, setcapCommand } from '../../../remote-agent/src/backend/linux/privileges';
import { fixesForProbe } from '../../../remote-agent/src/backend/linux/probe-errors';
import { REPO_ROOT } from '../../helpers/paths';

describe('probe privileges', function () {
  it('one setcap command, the one the probe itself prints', function () {
    assert.equal(setcapCommand('/opt/lens-probe'), 'sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep /opt/lens-probe');
    const probeSource = readFileSync(path.join(REPO_ROOT, 'bpf', 'linux', 'checks_helpers.c'), 'utf8');
    const printed = [...probeSource.matchAll(/sudo setcap (\S+) %s/g)].map((m) => m[1]);
    assert.ok(printed.length > 0, 'checks_helpers.c prints a setcap command');
    for (const caps of printed) assert.equal(`sudo setcap ${caps} /opt/lens-probe`, setcapCommand('/opt/lens-probe'));
  });

  it('quotes a path the shell would split', function () {
    assert.equal(setcapCommand("/home/a b/it's/lens-probe"), `sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep '/home/a b/it'\\''s/lens-probe'`);
  });

  it('a session refused for privileges gets the same fixes', function () {
    assert.deepEqual(fixesForProbe(ProbeErrorCode.PRIVILEGE, '/p/lens-probe'), privilegeFixes('/p/lens-probe'));
    assert.equal(privilegeFixes('/p/lens-probe')[0].text, setcapCommand('/p/lens-probe'));
  });

  it('reads getcap output: every needed capability must be effective', function () {
    assert.equal(hasProbeCapabilities('cap_dac_read_search,cap_perfmon,cap_bpf=ep'), true);
    assert.equal(hasProbeCapabilities('cap_bpf,cap_perfmon=ep'), false);
    assert.equal(hasProbeCapabilities('cap_dac_read_search,cap_perfmon,cap_bpf=p'), false);
    assert.equal(hasProbeCapabilities('cap_bpf,cap_perfmon=ep cap_dac_read_search+ep'), true);
    assert.equal(hasProbeCapabilities(''), false);
  });
});
