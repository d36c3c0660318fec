// A non-root user with the README's capability-granted probe sees only what ptrace would show them,
// and the default events work (one group degraded, with its message) for every launch.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { encodeCommand } from '../../remote-agent/src/decode/commands';
import {
  ErrorCodes, InitializeRequest, SessionAddProcessRequest, SessionStartRequest, SessionStopRequest, type ErrorData,
} from '../../remote-agent/src/protocol';
import { AgentProcess } from '../helpers/agent';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir, scriptFixture } from '../helpers/fixtures';
import { CLI_ENTRY } from '../helpers/paths';
import { waitFor } from '../helpers/procs';
import { AS_NOBODY, busyLoad, makeCapProbe, runProbeAsNobody, type CapProbe } from '../helpers/cap-probe';
import { marks, nativeFixture } from '../helpers/native-stacks';
import { assertExit, only, runCli, select, startCli, trace } from '../helpers/trace';

/** A process that sleeps until killed, started with `prefix` (e.g. as nobody). */
function sleeper(prefix: string[] = []): ChildProcess {
  const argv = [...prefix, '/bin/sleep', '600'];
  return spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
}

/** Processes of nobody that hold CAP_BPF: running probes (what the probe counts against its limit). */
function nobodyProbes(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let status: string;
    try { status = readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { continue; }
    const eff = /^CapEff:\s+([0-9a-f]+)/m.exec(status)?.[1] ?? '0';
    if (/^Uid:\s+65534\s/m.test(status) && (BigInt('0x' + eff) >> 39n) & 1n) n++;
  }
  return n;
}

describe('trace as a non-root user (capability-granted probe)', function () {
  let probe: CapProbe;
  const asNobody = () => ({ user: 'nobody', cwd: '/', env: { LENS_PROBE: probe.path } });
  const children: ChildProcess[] = [];

  before(function () {
    requireBpf(this);
    probe = makeCapProbe();
  });
  after(() => probe?.remove());
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('--pid 1 and --pid of a root process: refused, saying whose process it is and why', async function () {
    const root = sleeper();
    children.push(root);
    for (const pid of [1, root.pid!]) {
      const run = await runCli(['trace', '--json', '--pid', String(pid)], asNobody());
      assert.notEqual(run.code, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`pid ${pid} \\(.*\\) runs as uid 0.*you may trace only your own processes, as ptrace would allow`), run.stderr);
      assert.equal(run.stdout, '');
    }
  });

  it('stdin add of a root process: refused; of their own process: accepted', async function () {
    const own = sleeper(AS_NOBODY);
    const other = sleeper(AS_NOBODY);
    const root = sleeper();
    children.push(own, other, root);
    const run = await runProbeAsNobody(probe.path, ['--events', 'exec', '--pid', String(own.pid)],
      encodeCommand({ op: 'add', pid: root.pid! }) + encodeCommand({ op: 'add', pid: other.pid! }));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`add: pid ${root.pid} \\(sleep\\) runs as uid 0`));
    assert.doesNotMatch(run.stderr, new RegExp(`pid ${other.pid}\\b`));
  });

  it('stdin python (Python frames of a process) of a root process: refused; of their own process: taken', async function () {
    const own = sleeper(AS_NOBODY);
    const root = sleeper();
    children.push(own, root);
    const offsets = {
      interpNext: 0, interpThreads: 16, threadNext: 8, threadTid: 160, threadFrame: 56, cframeFrame: 8,
      frameCode: 32, framePrevious: 48, frameInstr: 56, frameOwner: 69, ownerCstack: 0xffff,
    };
    const run = await runProbeAsNobody(probe.path, ['--events', 'exec', '--python-stacks', '--pid', String(own.pid)],
      encodeCommand({ op: 'python', pid: root.pid!, cookie: 1, head: 0x1000, offsets }) + encodeCommand({ op: 'python', pid: own.pid!, cookie: 2, head: 0x1000, offsets }));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`python: pid ${root.pid} \\(sleep\\) runs as uid 0`));
    assert.doesNotMatch(run.stderr, new RegExp(`pid ${own.pid}\\b`));
  });

  it('--pid of their own Python program: its events carry its Python frames', async function () {
    const dir = scratchDir('nonroot-pyattach');
    chownSync(dir, 65534, 65534);
    const fixture = scriptFixture('python/attachee.py');
    const m = marks('python/attachee.py');
    const server = net.createServer((c) => c.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((server.address() as net.AddressInfo).port);
      const target = spawn(AS_NOBODY[0], [...AS_NOBODY.slice(1), '/usr/bin/python3.11', fixture, 'loop', dir, port], { stdio: 'ignore' });
      children.push(target);
      // setpriv execs python: the pid is the Python process's
      const run = startCli(['trace', '--json', '--events', 'file', '--pid', String(target.pid)], asNobody());
      const open = await run.waitForEvent('the function\'s open with frames', (e) => e.kind === 'open' && e.path === `${dir}/function.txt` && !!e.frames?.length, 30_000);
      assert.equal(open.uid, 65534);
      assert.deepEqual(open.source, { file: fixture, line: m.function, column: 5, function: 'read_config' }, JSON.stringify(open));
      await run.finish();
    } finally {
      server.close();
    }
  });

  it('session/addProcess over RPC: a root process is refused with the reason and its fix; their own is added', async function () {
    const own = sleeper(AS_NOBODY);
    const other = sleeper(AS_NOBODY);
    const root = sleeper();
    children.push(own, other, root);
    const agent = new AgentProcess({ LENS_PROBE: probe.path }, AS_NOBODY);
    try {
      const rpc = agent.connect();
      await rpc.sendRequest(InitializeRequest, { clientName: 'nonroot-add-process' });
      const { sessionId } = await rpc.sendRequest(SessionStartRequest, { target: { kind: 'attach', pid: own.pid! }, events: ['exec'] });
      await assert.rejects(rpc.sendRequest(SessionAddProcessRequest, { sessionId, pid: root.pid! }), (e: ResponseError<ErrorData>) => {
        assert.equal(e.code, ErrorCodes.PermissionDenied, e.message);
        assert.match(e.message, new RegExp(`^cannot add pid ${root.pid} to the session: pid ${root.pid} \\(sleep\\) runs as uid 0`));
        assert.ok(e.data?.fixes.length, 'the refusal carries its fixes');
        return true;
      });
      await rpc.sendRequest(SessionAddProcessRequest, { sessionId, pid: other.pid! });
      const stats = await rpc.sendRequest(SessionStopRequest, { sessionId });
      assert.equal(stats.state, 'stopped', `the refused add did not fail the session; agent stderr: ${agent.stderr}`);
      rpc.dispose();
    } finally {
      await agent.stop();
    }
  });

  it('--exec-path into a 0700 root directory: the target runs with the user\'s rights and cannot be started', async function () {
    const secret = path.join(probe.dir, 'secret');
    mkdirSync(secret, { mode: 0o700 });
    copyFileSync('/bin/true', path.join(secret, 'true'));
    chmodSync(path.join(secret, 'true'), 0o755);
    const run = await runProbeAsNobody(probe.path, ['--events', 'exec', '--exec-path', path.join(secret, 'true'), '--', 'true']);
    assert.equal(run.code, 127, run.stderr);
    assert.match(run.stderr, /cannot run 'true' \(.*secret\/true\): Permission denied/);
  });

  it('the launched target has no capabilities at all', async function () {
    const run = await trace(['/bin/grep', '^Cap[PEIA]', '/proc/self/status'], [], asNobody());
    assertExit(run, 0);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb']) assert.match(run.stderr, new RegExp(`${set}:\\s+0+\\n`), run.stderr);
  });

  it('an exec of a setuid, setgid, file-capability or unreadable binary is reported with the reason and not followed past it', async function () {
    const bin = path.join(probe.dir, 'bin');
    mkdirSync(bin, { mode: 0o755 });
    // 0711: a binary the user cannot read runs non-dumpable
    const copies = { setuid: 0o4755, setgid: 0o2755, capabilities: 0o755, 'not-dumpable': 0o711 } as const;
    for (const [name, mode] of Object.entries(copies)) {
      copyFileSync('/bin/cat', path.join(bin, name));
      chmodSync(path.join(bin, name), mode);
    }
    execFileSync('setcap', ['cap_net_bind_service+ep', path.join(bin, 'capabilities')]);
    const script = `${Object.keys(copies).map((c) => `${bin}/${c} /etc/hostname; `).join('')}/bin/cat /etc/hostname`;
    const run = await trace(['/bin/sh', '-c', script], ['--events', 'exec,file'], asNobody());
    assertExit(run, 0);
    for (const reason of Object.keys(copies)) {
      const exec = only(run.events, 'exec', { filename: `${bin}/${reason}` });
      assert.equal(exec.kind === 'exec' && exec.untraced, reason);
      const after = run.events.filter((e) => e.pid === exec.pid && e.ts >= exec.ts && e !== exec);
      assert.deepEqual(after, [], `events of the ${reason} process after its exec`);
    }
    const cat = only(run.events, 'exec', { filename: '/bin/cat' });
    assert.equal((cat as { untraced?: string }).untraced, undefined);
    assert.equal(select(run.events, 'open', { pid: cat.pid, path: '/etc/hostname' }).length, 1);
    assert.equal(select(run.events, 'exit', { pid: cat.pid }).length, 1);
  });

  it('--ringbuf-bytes over the non-root limit: refused, naming the limit', async function () {
    const run = await runProbeAsNobody(probe.path, ['--ringbuf-bytes', String(1 << 30), '--', 'true']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--ringbuf-bytes 1073741824 is over the 64 MiB a non-root user may pin/);
  });

  it('a root agent refuses a probe that a user other than root could replace, saying which file and why', async function () {
    const userDir = path.join(probe.dir, 'users');
    mkdirSync(userDir, { mode: 0o755 });
    copyFileSync(probe.path, path.join(userDir, 'lens-probe'));
    chmodSync(path.join(userDir, 'lens-probe'), 0o755);
    chownSync(userDir, 65534, 65534);
    const run = await trace(['/bin/true'], [], { env: { LENS_PROBE: path.join(userDir, 'lens-probe') } });
    assert.notEqual(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`refusing to run the probe \\(LENS_PROBE\\) ${userDir}/lens-probe as root: ${userDir} is owned by uid 65534`));
    assert.equal(run.stdout, '');
  });

  it('a fifth probe of the same user while four run: refused, naming the limit', async function () {
    const own = sleeper(AS_NOBODY);
    children.push(own);
    // probes of the earlier tests may still be detaching their programs: they count until they exit
    await waitFor('earlier probes of nobody to exit', () => nobodyProbes() === 0, 30_000);
    const running: Array<{ child: ChildProcess; closed: Promise<unknown> }> = [];
    try {
      for (let i = 0; i < 4; i++) {
        const child = spawn(AS_NOBODY[0], [...AS_NOBODY.slice(1), probe.path, '--events', 'exec', '--pid', String(own.pid)], { stdio: ['pipe', 'pipe', 'pipe'] });
        running.push({ child, closed: new Promise((resolve) => child.on('close', resolve)) });
        let bytes = 0;
        let stderr = '';
        child.stdout!.on('data', (d: Buffer) => (bytes += d.length));
        child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        await waitFor(`probe ${i + 1} to attach`, () => bytes > 0 || child.exitCode !== null);
        assert.equal(child.exitCode, null, `probe ${i + 1} exited: ${stderr}`);
      }
      const fifth = await runProbeAsNobody(probe.path, ['--events', 'exec', '--', 'true']);
      assert.equal(fifth.code, 1, fifth.stderr);
      assert.match(fifth.stderr, /uid 65534 already runs 4 lens-probe sessions \(.*\), the most a non-root user may run at once/);
    } finally {
      for (const r of running) r.child.stdin!.end();
      await Promise.all(running.map((r) => r.closed));
    }
  });

  it('doctor tries each hook type with the probe\'s capabilities: uprobes fail (with the reason and fix), the rest work', async function () {
    const run = spawnSync(AS_NOBODY[0], [...AS_NOBODY.slice(1), process.execPath, CLI_ENTRY, 'doctor', '--json'],
      { cwd: '/', env: { ...process.env, LENS_PROBE: probe.path }, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    const checks = JSON.parse(run.stdout) as Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
    const byName = (n: string) => checks.find((c) => c.name === n)!;
    for (const n of ['ring buffer', 'tracepoints', 'raw tracepoints']) {
      assert.equal(byName(n).ok, true, JSON.stringify(byName(n)));
      assert.match(byName(n).detail, /^works with the probe's file capabilities: the probe (loaded|attached) a test program/);
    }
    assert.equal(byName('uprobes').ok, false);
    assert.match(byName('uprobes').detail, /fails with the probe's file capabilities \(EACCES\): .*CAP_SYS_ADMIN/);
    assert.match(byName('uprobes').fix!, /run the agent as root \(sudo\) for dns events/);
    assert.deepEqual(checks.filter((c) => !c.ok).map((c) => c.name), ['uprobes']);
    // the same probe run by root: every hook type works
    const asRoot = spawnSync(process.execPath, [CLI_ENTRY, 'doctor', '--json'], { env: { ...process.env, LENS_PROBE: probe.path }, encoding: 'utf8' });
    const rootChecks = JSON.parse(asRoot.stdout) as typeof checks;
    for (const n of ['ring buffer', 'tracepoints', 'raw tracepoints', 'uprobes']) {
      assert.match(rootChecks.find((c) => c.name === n)!.detail, /^works as root: the probe (loaded|attached) a test program/, asRoot.stdout);
    }
  });

  it('--stacks: a program that opens a file and exits at once gets its exact line from the code mappings the probe recorded', async function () {
    const bin = nativeFixture('stacks-short', 'c/stacks-short.c', 'gcc', ['-O2', '-g', '-fomit-frame-pointer']);
    const m = marks('c/stacks-short.c');
    const run = await trace([bin], ['--events', 'exec,file', '--stacks'], asNobody());
    assertExit(run, 0);
    const open = select(run.events, 'open', { path: '/lens-marker/short' })[0];
    const lines = (open?.frames ?? []).filter((f) => f.file?.endsWith('fixtures/c/stacks-short.c')).map((f) => `${f.function}:${f.line}`);
    assert.deepEqual(lines, [`open_marker:${m.open}`, `main:${m.main}`], JSON.stringify(open));
  });

  it('default events: every launch is complete (exec, each open, exit) with other load on the machine; dns is degraded with its reason', async function () {
    this.timeout(240_000);
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

describe('the kernel\'s limit of 64 BPF programs per tracepoint', function () {
  before(function () {
    requireBpf(this);
  });

  it('all slots of a net tracepoint taken: the net group is left out naming E2BIG and the limit, the rest is traced', async function () {
    // Every probe on the machine needs this slot: hold it only while one trace starts.
    const filler = spawn(cFixture('tpfill'), ['syscalls/sys_exit_listen'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const released = new Promise((resolve) => filler.on('close', resolve));
    let run;
    try {
      let out = '';
      filler.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      await waitFor('the slots to be taken', () => /^full \d+$/m.test(out) || filler.exitCode !== null);
      assert.match(out, /^full \d+$/m, 'tpfill failed (its stderr is above)');
      run = await trace(['/bin/true'], ['--events', 'exec,net']);
    } finally {
      filler.stdin!.end();
      await released;
    }
    assertExit(run, 0);
    assert.match(run.stderr, /net events are not traced: cannot attach lens_xlisten \(tracepoint\/syscalls\/sys_exit_listen\): Argument list too long \(E2BIG: all 64 BPF programs the kernel allows per tracepoint, machine-wide, are in use/);
    only(run.events, 'exec', { filename: '/bin/true' });
    assert.equal(select(run.events, 'exit').length, 1);
  });
});
