// Ctrl-C during `runtime-lens trace`: the probe stops cleanly, the events captured so far are printed,
// the summary still goes to stderr, and the exit status is the shell's for SIGINT.
import assert from 'node:assert/strict';
import { requireBpf } from '../../helpers/bpf';
import { startCli } from '../../helpers/trace';

describe('trace interrupted with Ctrl-C', function () {
  before(function () {
    requireBpf(this);
  });

  it('stops the probe, keeps every captured event and prints the summary', async function () {
    this.timeout(60000);
    const run = startCli(['trace', '--json', '--', 'sh', '-c', 'cat /etc/hostname >/dev/null; sleep 60']);
    const sleep = await run.waitForEvent('the exec of sleep', (e) => e.kind === 'exec' && e.argv[0] === 'sleep', 30000);
    run.killGroup('SIGINT'); // what a terminal's Ctrl-C does: the whole foreground group gets SIGINT
    const result = await run.done;
    assert.ok(result.summary, `a summary line on stderr:\n${result.stderr}`);
    assert.equal(result.summary.lost, 0);
    assert.equal(result.code, 130, result.stderr);
    assert.ok(result.events.some((e) => e.kind === 'open' && e.path === '/etc/hostname'), 'the open made before Ctrl-C is printed');
    assert.ok(result.events.some((e) => e.kind === 'exec' && e.pid === sleep.pid));
    assert.equal(result.summary.counts.open, result.events.filter((e) => e.kind === 'open').length, 'the summary counts what was printed');
  });
});
