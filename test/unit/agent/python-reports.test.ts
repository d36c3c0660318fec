// The Python bootstrap and its reports, with Debian's real Python: reports
// reach the agent over the FIFO and give an event the exact line; the
// sitecustomize it hides still runs and the program's sys.path is unchanged;
// with no channel, or a full one, the program runs on (drops counted).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { ReportChannel } from '../../../remote-agent/src/runtimes/report-channel';
import { PYTHON_BOOTSTRAP, PYTHON_CHANNEL_ENV, PYTHON_PIPE_BYTES } from '../../../remote-agent/src/runtimes/python/bootstrap';
import { PyCorrelator } from '../../../remote-agent/src/runtimes/python/py-correlator';
import { parsePyLine, type PyReport } from '../../../remote-agent/src/runtimes/python/py-reports';
import { PythonReports } from '../../../remote-agent/src/runtimes/python/python-reports';
import { PYTHON, scratchDir } from '../../helpers/fixtures';
import { runCli } from '../../helpers/trace';

/** Writes a script whose lines are `lines` (1-based line numbers as in the array). */
function script(dir: string, lines: string[]): string {
  const file = path.join(dir, 'prog.py');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function runPython(file: string, env: Record<string, string>, args: string[] = []): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(PYTHON, [file, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function openEvent(pid: number, tid: number, file: string): LensEvent {
  return { kind: 'open', pid, tid, ppid: 1, uid: 0, comm: 'python3', ts: 0, key: `${pid}:1`, syscall: 'openat', path: file, flags: 'O_RDONLY', ret: 3 } as LensEvent;
}

/**
 * Runs a script (its last output line: the pid and native tid of the process and thread that opened
 * `target`) with the bootstrap, then annotates an open event of that thread at `tsNs`, and of `tid + 1`.
 */
function annotateOpen(label: string, lines: string[], tsNs = Number.MAX_SAFE_INTEGER): { file: string; e: LensEvent; other: LensEvent } {
  const dir = scratchDir(label);
  const target = path.join(dir, 'data.txt');
  const file = script(dir, lines);
  const reports = PythonReports.open();
  try {
    const r = runPython(file, reports.env(undefined), [target]);
    assert.equal(r.status, 0, r.stderr);
    const [pid, tid] = r.stdout.trim().split(' ').map(Number);
    reports.drain();
    const e = openEvent(pid, tid, target);
    reports.annotate(e, tsNs);
    const other = openEvent(pid, tid + 1, target);
    reports.annotate(other, tsNs);
    return { file, e, other };
  } finally {
    reports.close();
  }
}

const LOAD = [
  'import os, _thread',
  'def load(p):',
  '    return open(p, "w")',
  'load(os.sys.argv[1]).close()',
  'print(os.getpid(), _thread.get_native_id())',
];

describe('Python reports (bootstrap, channel, matching)', () => {
  it('an open by a launched Python program gets its exact line, function and callers; another thread\'s event does not', () => {
    const { file, e, other } = annotateOpen('pyreports', LOAD);
    assert.deepEqual(e.source, { file, line: 3, column: 12, function: 'load' });
    assert.deepEqual(e.frames?.map((f) => `${f.function}:${f.line}`), ['load:3', '<module>:4']);
    assert.equal(other.frames, undefined, 'a report matches events of its own thread only');
  });

  it('a report never matches an event older than itself', () => {
    assert.equal(annotateOpen('pyearly', LOAD, 0).e.frames, undefined);
  });

  it('a forked Python child reports as itself (its own pid), with its own line', () => {
    const { file, e } = annotateOpen('pyfork', [
      'import os, _thread, sys',
      'pid = os.fork()',
      'if pid == 0:',
      '    open(sys.argv[1], "w").close()',
      '    print(os.getpid(), _thread.get_native_id(), flush=True)',
      '    os._exit(0)',
      'os.waitpid(pid, 0)',
    ]);
    assert.deepEqual(e.source, { file, line: 4, column: 5, function: '<module>' });
  });

  it('runs the sitecustomize it hides, leaves sys.path and PYTHONPATH\'s other entries as they were, and runs without a channel', () => {
    const dir = scratchDir('pychain');
    const other = path.join(dir, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'sitecustomize.py'), 'import builtins\nbuiltins.OTHER_SITE = "ran"\n');
    const file = script(dir, ['import sys', 'print(OTHER_SITE, any("runtime-lens-python" in p for p in sys.path), sys.path[1])']);
    const reports = PythonReports.open();
    try {
      const env = reports.env(other);
      assert.equal(env.PYTHONPATH, `${path.dirname(env[PYTHON_CHANNEL_ENV])}:${other}`);
      const r = runPython(file, env);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), `ran False ${other}`);
      const gone = runPython(file, { ...env, [PYTHON_CHANNEL_ENV]: path.join(dir, 'no-such-fifo') });
      assert.equal(gone.status, 0, gone.stderr);
      assert.equal(gone.stdout.trim(), `ran False ${other}`);
    } finally {
      reports.close();
    }
  });

  it('a full channel never blocks the program: reports are dropped and the next one says how many', async () => {
    const dir = scratchDir('pyfull');
    const channel = ReportChannel.open('python-test');
    writeFileSync(path.join(channel.dir, 'sitecustomize.py'), PYTHON_BOOTSTRAP);
    // more reports than the FIFO holds (PYTHON_PIPE_BYTES; each report is over 60 bytes)
    const calls = Math.ceil(PYTHON_PIPE_BYTES / 60);
    const file = script(dir, [
      'import sys',
      'print("ready", flush=True); sys.stdin.readline()',
      'for _ in range(CALLS): open("/dev/null").close()'.replace('CALLS', String(calls)),
      'print("filled", flush=True); sys.stdin.readline()',
      'open("/dev/null").close()',
    ]);
    const lines = (reports: PyReport[]): number[] => reports.map((r) => r.frames[0]?.line ?? 0);
    const child = spawn(PYTHON, [file], { env: { ...process.env, PYTHONPATH: channel.dir, [PYTHON_CHANNEL_ENV]: channel.fifo } });
    try {
      const said = (word: string): Promise<void> => new Promise((resolve) => child.stdout.on('data', (d: Buffer) => { if (String(d).includes(word)) resolve(); }));
      await said('ready');
      channel.drain(() => { /* the start-up's reports */ });
      const filled = said('filled');
      child.stdin.write('\n');
      await filled;
      const before: PyReport[] = [];
      channel.drain((l) => { const p = parsePyLine(l); if (p.type === 'report') before.push(p.report); });
      assert.ok(before.length > 0 && before.length < calls, `some reports got through, not all (${before.length})`);
      assert.ok(lines(before).every((n) => n === 3), 'the loop\'s reports');
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.end('\n');
      assert.equal(await exited, 0);
      const after: Array<{ report: PyReport; lost: number }> = [];
      channel.drain((l) => { const p = parsePyLine(l); if (p.type === 'report') after.push(p); });
      assert.equal(after.length, 1);
      assert.equal(after[0].report.frames[0].line, 5);
      assert.equal(after[0].lost, calls - before.length, 'every dropped report is counted');
    } finally {
      child.kill();
      channel.close();
    }
  });

  it('a launch whose probe cannot start leaves no report folder behind', async () => {
    const tmp = scratchDir('pytmp');
    const r = await runCli(['trace', '--events', 'syscall', '--syscalls', 'nosuchcall', '--', 'true'], { env: { ...process.env, TMPDIR: tmp } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown syscall 'nosuchcall'/);
    assert.deepEqual(readdirSync(tmp).filter((n) => /^runtime-lens-(python|node)-/.test(n)), [], 'no report FIFO folder is left');
  });

  it('reports that arrive far ahead of their events (a start-up\'s imports) each still match their own event', () => {
    const correlator = new PyCorrelator();
    const n = 500;
    for (let i = 0; i < n; i++) {
      correlator.add({ pid: 9, tid: 9, ns: i * 10, op: 'fs', args: [`/m/${i}.pyc`], frames: [], truncated: false }, 0);
    }
    const matched = Array.from({ length: n }, (_, i) => correlator.match(openEvent(9, 9, `/m/${i}.pyc`), i * 10 + 5)?.args[0]);
    assert.deepEqual(matched, Array.from({ length: n }, (_, i) => `/m/${i}.pyc`));
    assert.equal(correlator.lostBy(9), 0);
  });

  it('lines that are not reports are told apart', () => {
    assert.deepEqual(parsePyLine('not json'), { type: 'malformed' });
    assert.deepEqual(parsePyLine('{"t":"r","p":1,"w":1,"n":5,"o":"format-disk","a":[],"k":[]}'), { type: 'malformed' });
    assert.deepEqual(parsePyLine('{"t":"h","p":7,"w":7}'), { type: 'hello', pid: 7 });
    const r = parsePyLine('{"t":"r","p":7,"w":8,"n":5,"o":"fs","a":["/x"],"k":[["/usr/lib/python3/dist-packages/requests/api.py",0,0,"get"]],"x":1,"l":2}');
    assert.equal(r.type, 'report');
    if (r.type !== 'report') return;
    assert.equal(r.lost, 2);
    assert.equal(r.report.truncated, true);
    assert.deepEqual(r.report.frames, [{
      kind: 'python', file: '/usr/lib/python3/dist-packages/requests/api.py', module: '/usr/lib/python3/dist-packages/requests/api.py',
      reason: 'the interpreter gave no line for this frame', function: 'get', package: 'requests',
    }]);
  });
});
