// Python frames of attached processes: a real Python program already running
// (functions, a method, a thread, a socket connect, a Python child started
// with subprocess) is attached with `trace --json --pid`; the probe reads each
// thread's frame chain in the kernel at the syscall, and every marked line's
// event carries the exact file:line, column and function of each frame, on
// Debian's Python 3.11 and the pyenv 3.12 and 3.13 this machine has. A
// launched run of the same program keeps the audit hook's frames, once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  EventsNotification, InitializeRequest, SessionAddProcessRequest, SessionStartRequest, SessionStopRequest, type Frame, type LensEvent,
} from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { scratchDir, scriptFixture } from '../helpers/fixtures';
import { marks } from '../helpers/native-stacks';
import { waitFor } from '../helpers/procs';
import { assertExit, startCli, trace } from '../helpers/trace';

const FIXTURE = realpathSync(scriptFixture('python/attachee.py'));
const MARKS = marks('python/attachee.py');
const PYENV = '/root/.pyenv/versions';
const DEBIAN_PYTHON = '/usr/bin/python3.11';

/** Debian's 3.11 and the newest pyenv build of 3.12 and 3.13 present (CI has the same); an absent one is named. */
function pythons(): { python: string; absent?: string }[] {
  const versions = existsSync(PYENV) ? readdirSync(PYENV) : [];
  return [{ python: DEBIAN_PYTHON }, ...['3.12', '3.13'].map((minor) => {
    const v = versions.filter((n) => n.startsWith(`${minor}.`)).sort().at(-1);
    return v ? { python: path.join(PYENV, v, 'bin', `python${minor}`) } : { python: `${PYENV}/${minor}.*`, absent: `no Python ${minor} under ${PYENV}` };
  })];
}

/** "function:line" of the event's frames in the fixture, innermost first. */
function fixtureLines(e: LensEvent): string[] {
  return (e.frames ?? []).filter((f: Frame) => f.file === FIXTURE).map((f) => `${f.function}:${f.line}`);
}

function columnOf(mark: string, call: string): number {
  const text = readFileSync(FIXTURE, 'utf8').split('\n')[MARKS[mark] - 1];
  assert.ok(text.includes(call), `line ${MARKS[mark]} of the fixture calls ${call}`);
  return text.indexOf(call) + 1;
}

/** The event's source is `call` on the marked line in `fn`, and its fixture frames are exactly `chain`, all Python frames. */
function assertSource(e: LensEvent, mark: string, call: string, fn: string, chain: string[]): void {
  assert.deepEqual(e.source, { file: FIXTURE, line: MARKS[mark], column: columnOf(mark, call), function: fn }, `source of ${JSON.stringify(e).slice(0, 600)}`);
  assert.deepEqual(fixtureLines(e), chain, `fixture frames of ${e.kind} (marked ${mark})`);
  assert.ok(e.frames?.every((f) => f.kind === 'python'), 'every frame is a Python frame');
}

async function listener(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => s.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

const module = `<module>:${MARKS.module}`;
const main = `main:${MARKS['call-cycle']}`;

describe('trace --pid: Python stacks of an attached Python program', function () {
  this.timeout(90_000);
  before(function () {
    requireBpf(this);
  });

  it('this machine has Debian\'s Python 3.11', () => {
    assert.ok(existsSync(DEBIAN_PYTHON), `${DEBIAN_PYTHON} is missing: apt-get install -y python3`);
  });

  for (const { python, absent } of pythons()) {
    const title = absent ? `${python}: skipped, ${absent} (CI machines have the same pyenv builds)` : `${python}: each marked line's event carries its exact file:line and callers, main thread, thread and child`;
    it(title, async function () {
      if (absent) this.skip();
      const dir = realpathSync(scratchDir('pyattach'));
      const server = await listener();
      const target = spawn(python, [FIXTURE, 'loop', dir, String(server.port)], { stdio: 'ignore' });
      try {
        const run = startCli(['trace', '--json', '--events', 'exec,file,net', '--pid', String(target.pid)]);
        const framed = (pred: (e: LensEvent) => boolean) => (e: LensEvent) => pred(e) && !!e.frames?.length;
        const opened = (name: string) => (e: LensEvent) => e.kind === 'open' && e.path === `${dir}/${name}`;
        const fn = await run.waitForEvent('the function\'s open with frames', framed((e) => opened('function.txt')(e) && e.pid === target.pid), 30_000);
        assertSource(fn, 'function', 'open(', 'read_config', [`read_config:${MARKS.function}`, `cycle:${MARKS['call-function']}`, main, module]);
        assert.equal(fn.tid, target.pid, 'the main thread opened it');

        const method = await run.waitForEvent('the method\'s open with frames', framed(opened('method.txt')));
        assertSource(method, 'method', 'open(', 'Store.save', [`Store.save:${MARKS.method}`, `cycle:${MARKS['call-method']}`, main, module]);

        const thread = await run.waitForEvent('the thread\'s open with frames', framed(opened('thread.txt')));
        assert.notEqual(thread.tid, target.pid, 'the thread opened it');
        assertSource(thread, 'thread', 'open(', 'worker', [`worker:${MARKS.thread}`]);
        assert.ok(thread.frames?.some((f) => f.function === 'Thread.run' && f.file?.endsWith('/threading.py')), 'the thread\'s frames reach threading.py');

        const connect = await run.waitForEvent('the connect with frames', framed((e) => e.kind === 'connect' && e.dport === server.port));
        assertSource(connect, 'connect', 'socket.create_connection(', 'call', [`call:${MARKS.connect}`, `cycle:${MARKS['call-connect']}`, main, module]);
        assert.ok(connect.frames?.[0].file?.endsWith('/socket.py'), 'the innermost frame is socket.create_connection\'s');

        // the child's exec carries its parent's frames at subprocess.run (read in the kernel in the vforked child)
        const exec = await run.waitForEvent('the child\'s exec with frames', framed((e) => e.kind === 'exec' && e.ret === 0 && e.ppid === target.pid));
        assertSource(exec, 'subprocess', 'subprocess.run(', 'run_child', [`run_child:${MARKS.subprocess}`, `cycle:${MARKS['call-subprocess']}`, main, module]);
        assert.ok(exec.frames?.some((f) => f.function === 'run' && f.file?.endsWith('/subprocess.py')), 'the exec carries subprocess.run\'s frame');

        // the Python child is registered at its exec: its own opens get its frames
        const child = await run.waitForEvent('the Python child\'s open with frames', framed((e) => opened('child.txt')(e) && e.pid !== target.pid));
        assertSource(child, 'child', 'open(', 'child_open', [`child_open:${MARKS.child}`, `main:${MARKS['call-child']}`, module]);

        const result = await run.finish();
        for (const e of result.events.filter((x) => x.tid === target.pid && x.kind === 'open' && x.frames)) {
          assert.equal(e.frames!.filter((f) => f.file === FIXTURE && f.line === MARKS.module).length, 1, `one <module> frame: ${JSON.stringify(e.frames)}`);
        }
      } finally {
        target.kill('SIGKILL');
        server.close();
      }
    });
  }

  it('over JSON-RPC (Attach to Process in VS Code): session/start with an attach target, and session/addProcess, give the same frames', async () => {
    const dir = realpathSync(scratchDir('pyattach-rpc'));
    const server = await listener();
    const target = spawn(DEBIAN_PYTHON, [FIXTURE, 'loop', dir, String(server.port)], { stdio: 'ignore' });
    const agent = new AgentProcess();
    try {
      const rpc = agent.connect();
      const events: LensEvent[] = [];
      rpc.onNotification(EventsNotification, (p) => { events.push(...p.events); });
      await rpc.sendRequest(InitializeRequest, { clientName: 'integration-test' });
      const { sessionId } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'attach', pid: target.pid! }, events: ['file'] });
      const method = await waitFor('the method\'s open with frames over RPC', () => events.find((e) => e.kind === 'open' && e.path === `${dir}/method.txt` && !!e.frames?.length), 30_000);
      assertSource(method, 'method', 'open(', 'Store.save', [`Store.save:${MARKS.method}`, `cycle:${MARKS['call-method']}`, main, module]);
      await rpc.sendRequest(SessionStopRequest, { sessionId });

      // a Python process added to a launched session (session/addProcess) is walked too
      const launched = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: ['sleep', '60'], stdio: 'null' }, events: ['file'] });
      await rpc.sendRequest(SessionAddProcessRequest, { sessionId: launched.sessionId, pid: target.pid! });
      const fn = await waitFor('the function\'s open with frames after session/addProcess', () => events.find((e) => e.kind === 'open' && e.path === `${dir}/function.txt` && !!e.frames?.length && e.ts > method.ts), 30_000);
      assertSource(fn, 'function', 'open(', 'read_config', [`read_config:${MARKS.function}`, `cycle:${MARKS['call-function']}`, main, module]);
      await rpc.sendRequest(SessionStopRequest, { sessionId: launched.sessionId });
      rpc.dispose();
    } finally {
      target.kill('SIGKILL');
      server.close();
      await agent.stop();
    }
  });

  it('a version without struct offsets, and a Python older than 3.11, give their events a reason instead of frames', async function () {
    const old = existsSync(PYENV) ? readdirSync(PYENV).filter((v) => v.startsWith('3.10.')).sort().at(-1) : undefined;
    const layouts = path.join(realpathSync(scratchDir('pyattach-layouts')), 'python-offsets.json');
    const all = JSON.parse(readFileSync(path.resolve(__dirname, '../../remote-agent/native/.output/python-offsets.json'), 'utf8')) as { version: string }[];
    writeFileSync(layouts, JSON.stringify(all.filter((l) => l.version !== '3.11.2')));
    const cases: [string, RegExp][] = [[DEBIAN_PYTHON, /^no Python stack: Python 3\.11\.2: this agent has no struct offsets for this exact version \(it knows .*\); install its headers/]];
    if (old) cases.push([path.join(PYENV, old, 'bin', 'python3.10'), /^no Python stack: .*libpython3\.10.* is a Python older than 3\.11 \(no Py_Version\)/]);
    for (const [python, reason] of cases) {
      const dir = realpathSync(scratchDir('pyattach-unsupported'));
      const target = spawn(python, ['-c', 'import time\nwhile True:\n    open(__import__("sys").argv[1] + "/x", "w").close(); time.sleep(0.02)', dir], { stdio: 'ignore' });
      try {
        const run = startCli(['trace', '--json', '--events', 'file', '--pid', String(target.pid)], { env: { LENS_PYTHON_OFFSETS: layouts } });
        const e = await run.waitForEvent(`an open of ${python} with a reason`, (x) => x.kind === 'open' && x.path === `${dir}/x` && !!x.stack_error, 30_000);
        assert.match(e.stack_error!, reason);
        assert.equal(e.frames, undefined);
        await run.finish();
      } finally {
        target.kill('SIGKILL');
      }
    }
  });

  it('a stack deeper than 64 Python frames: the 64 innermost, and frames_truncated', async () => {
    const dir = realpathSync(scratchDir('pyattach-deep'));
    const script = 'import sys, time\ndef deep(n):\n    if n:\n        return deep(n - 1)\n    while True:\n        open(sys.argv[1] + "/deep", "w").close(); time.sleep(0.02)\ndeep(100)\n';
    const target = spawn(DEBIAN_PYTHON, ['-c', script, dir], { stdio: 'ignore' });
    try {
      const run = startCli(['trace', '--json', '--events', 'file', '--pid', String(target.pid)]);
      const e = await run.waitForEvent('a deep open with frames', (x) => x.kind === 'open' && x.path === `${dir}/deep` && !!x.frames?.length, 30_000);
      assert.equal(e.frames!.length, 64);
      assert.equal(e.frames_truncated, true);
      assert.deepEqual(e.frames!.slice(0, 2).map((f) => `${f.function}:${f.line}`), ['deep:6', 'deep:4']);
      await run.finish();
    } finally {
      target.kill('SIGKILL');
    }
  });

  it('a launched Python program keeps the audit hook\'s frames, each frame once', async () => {
    const dir = realpathSync(scratchDir('pyattach-launched'));
    const server = await listener();
    let run;
    try {
      run = await trace([DEBIAN_PYTHON, FIXTURE, 'once', dir, String(server.port)], ['--events', 'exec,file,net'], { cwd: dir });
    } finally {
      server.close();
    }
    assertExit(run, 0);
    const fn = run.events.find((e) => e.kind === 'open' && e.path === `${dir}/function.txt`);
    assert.ok(fn, 'the function\'s open');
    assertSource(fn, 'function', 'open(', 'read_config', [`read_config:${MARKS.function}`, `cycle:${MARKS['call-function']}`, main, module]);
    const child = run.events.filter((e) => e.kind === 'open' && e.path === `${dir}/child.txt`);
    assert.equal(child.length, 25);
    for (const e of child) assertSource(e, 'child', 'open(', 'child_open', [`child_open:${MARKS.child}`, `main:${MARKS['call-child']}`, module]);
  });
});
