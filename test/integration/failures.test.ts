// Bad input and failure: each gives a clear message (what failed, how to fix it),
// nothing captured is lost, and nothing of ours stays loaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { descendants, unusedPid, waitFor } from '../helpers/procs';
import { assertExit, only, runCli, startCli, trace } from '../helpers/trace';

const TRACEFS = '/sys/kernel/tracing';

function tracefsMounted(): boolean {
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === TRACEFS && l.split(' ')[2] === 'tracefs');
}

describe('trace: bad input and failures', function () {
  before(function () {
    requireBpf(this);
  });

  it('a pid that does not exist: says so, exits non-zero, prints no events', async function () {
    const pid = unusedPid();
    const run = await runCli(['trace', '--json', '--pid', String(pid)]);
    assert.notEqual(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`\\b${pid}\\b`));
    assert.match(run.stderr, /no (such )?process|does not exist|not found/i);
    assert.equal(run.stdout, '');
  });

  it('a command that is not found: says which, exits 127 like a shell', async function () {
    const run = await trace(['lens-no-such-command']);
    assertExit(run, 127);
    assert.match(run.stderr, /lens-no-such-command/);
    assert.match(run.stderr, /not found|no such file/i);
  });

  it('no privileges (user nobody): says what is missing and how to fix it', async function () {
    const run = await trace(['/bin/true'], [], { user: 'nobody', cwd: '/' });
    assert.notEqual(run.code, 0, `as nobody the trace should fail; stderr:\n${run.stderr}`);
    assert.match(run.stderr, /CAP_BPF|privilege|permission/i);
    assert.match(run.stderr, /setcap|sudo|root/);
    assert.equal(run.stdout, '');
  });

  it('the probe killed mid-run: the loss is reported and the events captured before are printed', async function () {
    const dir = scratchDir('probe-kill');
    const fifo = path.join(dir, 'commands');
    execFileSync('mkfifo', [fifo]);
    const run = startCli(['trace', '--json', '--', cFixture('attachee'), fifo]);
    const commands = createWriteStream(fifo); // opens once the traced command opens its end
    try {
      commands.write(`open ${dir}/before-kill\n`);
      await run.waitForEvent('the open made before the kill', (e) => e.kind === 'open' && e.path === `${dir}/before-kill`);
      const probe = await waitFor('the lens-probe process', () => descendants(run.child.pid!).find((p) => p.comm === 'lens-probe'));
      process.kill(probe.pid, 'SIGKILL');
      const reported = (): boolean => /probe/i.test(run.stderr) && /SIGKILL|killed|signal 9/i.test(run.stderr);
      await waitFor('the CLI to exit or report the dead probe', () => run.child.exitCode !== null || run.child.signalCode !== null || reported(), 15_000);
    } finally {
      commands.end(); // the traced command reads end of input and exits
    }
    const result = await run.finish();
    assert.match(result.stderr, /probe/i);
    assert.match(result.stderr, /SIGKILL|killed|signal 9/i);
    only(result.events, 'open', { path: `${dir}/before-kill` });
    assert.notEqual(result.code, 0, 'a trace that lost its probe does not exit 0');
  });

  it('tracefs not mounted: tracing still works, or the message says how to mount it', async function () {
    if (!tracefsMounted()) execFileSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS]);
    execFileSync('umount', [TRACEFS]);
    try {
      const dir = scratchDir('no-tracefs');
      const bin = cFixture('fileops');
      const run = await trace([bin, dir, '0'], [], { cwd: dir });
      if (run.code === 0) {
        only(run.events, 'exec', { filename: bin });
        assert.ok(run.events.some((e) => e.kind === 'open' && e.path.endsWith('/sub/at.txt')));
      } else {
        assert.match(run.stderr, /mount -t tracefs tracefs \/sys\/kernel\/tracing/);
      }
    } finally {
      if (!tracefsMounted()) execFileSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS]);
    }
  });
});
