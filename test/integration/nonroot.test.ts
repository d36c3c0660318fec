// A non-root user with the README's capability-granted probe sees only what ptrace would show them,
// and the default events work (one group degraded, with its message) for every launch.
import assert from 'node:assert/strict';
import { requireBpf } from '../helpers/bpf';
import { busyLoad, makeCapProbe, type CapProbe } from '../helpers/cap-probe';
import { assertExit, only, trace } from '../helpers/trace';

describe('trace as a non-root user (capability-granted probe)', function () {
  let probe: CapProbe;
  const asNobody = () => ({ user: 'nobody', cwd: '/', env: { LENS_PROBE: probe.path } });

  before(function () {
    requireBpf(this);
    probe = makeCapProbe();
  });
  after(() => probe?.remove());

  it('default events: every launch is complete (exec, each open, exit) with other load on the machine; dns is degraded with its reason', async function () {
    this.timeout(180_000);
    const load = busyLoad();
    try {
      for (let i = 1; i <= 20; i++) {
        const run = await trace(['/bin/cat', '/etc/hostname'], [], asNobody());
        assertExit(run, 0);
        const where = `launch ${i} of 20; stderr:\n${run.stderr}`;
        only(run.events, 'exec', { filename: '/bin/cat', uid: 65534 });
        assert.equal(run.events.filter((e) => e.kind === 'open' && e.path === '/etc/hostname').length, 1, where);
        assert.equal(run.events.filter((e) => e.kind === 'exit').length, 1, where);
        assert.equal(run.summary?.lost, 0, where);
        assert.match(run.stderr, /dns events are not traced: .*uprobe.*CAP_SYS_ADMIN/, where);
      }
    } finally {
      load.stop();
    }
  });
});
