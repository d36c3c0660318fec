// `lens-remote mux --alive`: a link that drops without a word leaves sshd waiting for TCP to give up,
// up to hours, with the probe still tracing on the host. The agent sends ALIVE frames; when they stop
// the mux stops the probe (its programs detach), even while its output cannot be sent.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Channel, encodeFrame, FrameSplitter } from '../../remote-agent/src/backend/remote/mux-stream';
import { requireBpf } from '../helpers/bpf';
import { REPO_ROOT } from '../helpers/paths';
import { isAlive, waitFor } from '../helpers/procs';

const MUX = path.join(REPO_ROOT, 'remote-agent/host-helper/.output/static/lens-remote');
const PROBE = path.join(REPO_ROOT, 'bpf/linux/.output/static/lens-probe');

/** A process that opens a file in a loop (events for the probe to send). */
function busyLoop(): ChildProcess {
  return spawn('/bin/sh', ['-c', 'while :; do cat /etc/hostname >/dev/null; done'], { stdio: 'ignore' });
}

/** `mux --alive 2` running the probe attached to `pid`; `read`: whether its output is read (a link that carries it). */
function startMux(pid: number, read: boolean) {
  const mux = spawn(MUX, ['mux', '--alive', '2', '--', PROBE, '--events', 'exec,file', '--stats-ms', '200', '--pid', String(pid)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const seen = { probePid: 0, packets: 0, exit: undefined as Buffer | undefined };
  const splitter = new FrameSplitter((ch, payload) => {
    if (ch === Channel.STARTED) seen.probePid = payload.readInt32LE(0);
    else if (ch === Channel.PACKETS && payload.length) seen.packets++;
    else if (ch === Channel.EXIT) seen.exit = payload;
  });
  // not read: once the probe's pid is known, the output stays in the pipe (a link that carries nothing)
  const take = (d: Buffer) => {
    splitter.push(d);
    if (!read && seen.probePid) {
      mux.stdout.off('data', take);
      mux.stdout.pause();
    }
  };
  mux.stdout.on('data', take);
  const exited = new Promise<number | null>((resolve) => mux.on('exit', (code) => resolve(code)));
  return { mux, seen, exited };
}

describe('remote: lens-remote mux --alive', function () {
  this.timeout(60_000);
  before(function () { requireBpf(this); });

  it('ALIVE frames keep the probe tracing; when they stop, the probe is stopped and the mux ends', async function () {
    const loop = busyLoop();
    const { mux, seen, exited } = startMux(loop.pid!, true);
    const alive = setInterval(() => mux.stdin.write(encodeFrame(Channel.ALIVE)), 300);
    try {
      await waitFor('the probe to start', () => seen.probePid || undefined, 15_000);
      // well past --alive (2 s), kept going by the frames: its packets keep coming
      const started = Date.now();
      await waitFor('packets for 5 s', () => Date.now() - started > 5000 && seen.packets, 15_000);
      const before = seen.packets;
      await waitFor('more packets', () => seen.packets > before, 5_000);
      assert.ok(isAlive(seen.probePid), 'the probe runs while the agent is heard from');
      clearInterval(alive);
      // the agent counts as gone: nothing more is sent to it, the probe stops as on EOF
      assert.equal(await exited, 0);
      assert.equal(seen.exit, undefined, 'nothing is sent once the agent counts as gone');
      assert.ok(!isAlive(seen.probePid));
    } finally {
      clearInterval(alive);
      mux.kill('SIGKILL');
      loop.kill('SIGKILL');
    }
  });

  it('a silent agent whose link carries nothing (output not read) still has its probe stopped', async function () {
    const loop = busyLoop();
    const { mux, seen, exited } = startMux(loop.pid!, false);
    try {
      await waitFor('the probe to start', () => seen.probePid || undefined, 15_000);
      // nothing is read or sent: the mux's writes block and no ALIVE comes; the probe must end regardless
      await waitFor('the probe to end', () => !isAlive(seen.probePid), 30_000);
      assert.equal(await exited, 0);
    } finally {
      mux.kill('SIGKILL');
      loop.kill('SIGKILL');
    }
  });
});
