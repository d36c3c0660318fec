// Python source linking: a real Python program traced by the real probe; each
// marked line's syscall (open in a function, a method and a thread, a thread's
// start, listdir, remove, subprocess.run's fork and the child's exec,
// socket.connect and its getaddrinfo) carries the Python stack with the exact
// file:line of every frame and its source line and column, on Debian's Python
// and on the newer pyenv builds this machine has.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Frame, LensEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { PYTHON, scratchDir, scriptFixture } from '../helpers/fixtures';
import { marks } from '../helpers/native-stacks';
import { assertExit, only, select, trace } from '../helpers/trace';

const FIXTURE = realpathSync(scriptFixture('python/frames.py'));
const MARKS = marks('python/frames.py');
const PYENV = '/root/.pyenv/versions';

/** The newest pyenv build of each of 3.12 and 3.13 (set-up installs them; see MACHINE.md). */
function newerPythons(): string[] {
  const versions = existsSync(PYENV) ? readdirSync(PYENV) : [];
  return ['3.12', '3.13'].flatMap((minor) => {
    const v = versions.filter((n) => n.startsWith(`${minor}.`)).sort().at(-1);
    return v ? [path.join(PYENV, v, 'bin', 'python3')] : [];
  });
}

/** The interpreter's minor version (11 for 3.11). */
function minor(python: string): number {
  return Number(execFileSync(python, ['-c', 'import sys; print(sys.version_info[1])'], { encoding: 'utf8' }).trim());
}

/** "function:line" of the frames in the fixture, innermost first. */
function fixtureLines(e: LensEvent): string[] {
  return (e.frames ?? []).filter((f: Frame) => f.file === FIXTURE).map((f) => `${f.function}:${f.line}`);
}

/** The 1-based column where `call` starts on the marked line. */
function columnOf(mark: string, call: string): number {
  const text = readFileSync(FIXTURE, 'utf8').split('\n')[MARKS[mark] - 1];
  assert.ok(text.includes(call), `line ${MARKS[mark]} of the fixture calls ${call}`);
  return text.indexOf(call) + 1;
}

/** Asserts the event's source is the call `call` on the marked line in `fn`, and its fixture frames are exactly `chain`. */
function assertSource(e: LensEvent | undefined, mark: string, call: string, fn: string, chain: string[]): void {
  assert.ok(e, `no event for the line marked ${mark}`);
  const source = { file: FIXTURE, line: MARKS[mark], column: columnOf(mark, call), function: fn };
  assert.deepEqual(e.source, source, `source of ${e.kind} ${JSON.stringify(e).slice(0, 400)}`);
  assert.deepEqual(fixtureLines(e), chain, `fixture frames of ${e.kind} (marked ${mark})`);
  assert.ok(e.frames?.every((f) => f.kind === 'python'), 'every frame is a Python frame');
}

async function listener(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => s.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

describe('trace: Python stacks of a launched program', function () {
  this.timeout(60_000);
  before(function () {
    requireBpf(this);
  });

  it('this machine has Debian\'s Python and a newer one to test with', () => {
    assert.ok(existsSync(PYTHON), `${PYTHON} is missing: apt-get install -y python3`);
    assert.ok(newerPythons().length > 0, `no Python 3.12 or 3.13 under ${PYENV}: install one with pyenv (pyenv install 3.12)`);
  });

  for (const python of [PYTHON, ...newerPythons()]) {
    it(`${python}: each marked line's event carries its exact file:line and callers`, async () => {
      const dir = realpathSync(scratchDir('pyframes'));
      const server = await listener();
      let run;
      try {
        run = await trace([python, FIXTURE, dir, String(server.port)], [], { cwd: dir });
      } finally {
        server.close();
      }
      assertExit(run, 0);
      const pid = only(run.events, 'exec', { filename: python }).pid;
      const ev = run.events.filter((e) => e.pid === pid);
      const main = `main:${MARKS['call-function']}`;
      const module = `<module>:${MARKS.module}`;

      assertSource(only(ev, 'open', { path: `${dir}/function.txt` }), 'function', 'open(', 'read_config', [`read_config:${MARKS.function}`, main, module]);
      assertSource(only(ev, 'open', { path: `${dir}/method.txt` }), 'method', 'open(', 'Store.save', [`Store.save:${MARKS.method}`, `main:${MARKS['call-method']}`, module]);

      const thread = only(ev, 'open', { path: `${dir}/thread.txt` });
      assert.notEqual(thread.tid, pid, 'the thread opened it');
      assertSource(thread, 'thread', 'open(', 'worker', [`worker:${MARKS.thread}`]);
      assert.ok(thread.frames?.some((f) => f.function === 'Thread.run' && f.file?.endsWith('/threading.py')), 'the thread\'s frames reach threading.py');
      const started = only(ev, 'fork', { child_pid: thread.tid, thread: true });
      if (minor(python) >= 12) assertSource(started, 'thread-start', 't.start(', 'main', [`main:${MARKS['thread-start']}`, module]);
      else assert.equal(started.frames, undefined, 'Python 3.11 does not audit the start of a thread');

      assertSource(only(ev, 'open', { path: dir }), 'listdir', 'os.listdir(', 'tidy', [`tidy:${MARKS.listdir}`, `main:${MARKS['call-tidy']}`, module]);
      assertSource(only(ev, 'unlink', { path: `${dir}/function.txt` }), 'remove', 'os.remove(', 'tidy', [`tidy:${MARKS.remove}`, `main:${MARKS['call-tidy']}`, module]);

      const child = only(run.events, 'exec', { filename: '/bin/true' });
      assert.notEqual(child.pid, pid);
      const chain = [`run_child:${MARKS.subprocess}`, `main:${MARKS['call-subprocess']}`, module];
      assertSource(child, 'subprocess', 'subprocess.run(', 'run_child', chain);
      assertSource(only(ev, 'fork', { child_pid: child.pid }), 'subprocess', 'subprocess.run(', 'run_child', chain);
      assert.ok(child.frames?.some((f) => f.function === 'run' && f.file?.endsWith('/subprocess.py')), 'the child\'s exec carries subprocess.run\'s frame');

      const connect = only(ev, 'connect', { dport: server.port });
      assertSource(connect, 'connect', 'socket.create_connection(', 'call', [`call:${MARKS.connect}`, `main:${MARKS['call-connect']}`, module]);
      assert.ok(connect.frames?.[0].file?.endsWith('/socket.py'), 'the innermost frame is socket.create_connection\'s');
      assertSource(only(ev, 'dns', { name: '127.0.0.1' }), 'connect', 'socket.create_connection(', 'call', [`call:${MARKS.connect}`, `main:${MARKS['call-connect']}`, module]);

      for (const e of select(ev, 'open')) assert.equal(e.stack_error, undefined, `no report was dropped: ${JSON.stringify(e)}`);
    });
  }
});
