// The Node preload and the agent's reading of its reports, without eBPF: a real
// node process loads the preload and writes to a real FIFO; the correlator's
// rules on made-up events; source maps of a real compiled file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { ReportChannel } from '../../../remote-agent/src/runtimes/report-channel';
import { Correlator, pathMatches } from '../../../remote-agent/src/runtimes/node/correlator';
import { ensurePreloadFile } from '../../../remote-agent/src/runtimes/node/preload-file';
import { ReportReader, type NodeReport } from '../../../remote-agent/src/runtimes/node/reports';
import { SourceMaps } from '../../../remote-agent/src/runtimes/node/source-maps';
import { NODE, scratchDir } from '../../helpers/fixtures';

function readAll(channel: ReportChannel, reader: ReportReader): { reports: NodeReport[]; lost: number; hellos: number } {
  const out = { reports: [] as NodeReport[], lost: 0, hellos: 0 };
  channel.drain((text) => {
    const l = reader.line(text);
    assert.notEqual(l.type, 'malformed', text);
    if (l.type === 'report') { out.reports.push(l.report); out.lost += l.lost; }
    if (l.type === 'hello') out.hellos++;
  });
  return out;
}

describe('Node preload reports', function () {
  let preload: string;
  let dir: string;
  before(function () {
    dir = scratchDir('node-preload');
    preload = ensurePreloadFile(path.join(dir, 'cache'));
  });

  it('reports each call with its path, thread kind and the line of the call', function () {
    const channel = ReportChannel.open('node');
    try {
      const script = path.join(dir, 'calls.js');
      writeFileSync(script, [
        "const fs = require('fs');",
        'fs.readFileSync(__filename);',
        'fs.readFile(__filename, () => {});',
        "fs.readFileSync(0 === 1 ? 'x' : __filename, 'utf8');",
      ].join('\n'));
      const r = spawnSync(NODE, ['--require', preload, script], { env: { ...process.env, RUNTIME_LENS_NODE_CHANNEL: channel.fifo }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const { reports, hellos } = readAll(channel, new ReportReader());
      assert.equal(hellos, 1);
      const mine = reports.filter((x) => x.frames.some((f) => f.file === script));
      assert.deepEqual(mine.map((x) => [x.op, x.args, x.sync, x.frames.find((f) => f.file === script)?.line]),
        [['fs', [script], true, 2], ['fs', [script], false, 3], ['fs', [script], true, 4]]);
      assert.ok(mine.every((x) => x.pid === r.pid && x.tid === r.pid), 'reports name the process and its main thread');
    } finally {
      channel.close();
    }
  });

  it('never blocks the app: a full FIFO drops reports, counted with the next report that fits', async function () {
    const channel = ReportChannel.open('node');
    let child: import('node:child_process').ChildProcessWithoutNullStreams | undefined;
    try {
      const script = path.join(dir, 'burst.js');
      writeFileSync(script, [
        "const fs = require('fs');",
        'for (let i = 0; i < 20000; i++) fs.readFileSync(__filename);',
        "process.stdout.write('full\\n');",
        "process.stdin.once('data', () => { fs.readFileSync(__filename); process.exit(0); });",
      ].join('\n'));
      child = spawn(NODE, ['--require', preload, script], { env: { ...process.env, RUNTIME_LENS_NODE_CHANNEL: channel.fifo } });
      await once(child.stdout, 'data');
      const reader = new ReportReader();
      const first = readAll(channel, reader);
      assert.ok(first.reports.length < 20000, `the FIFO holds fewer than the 20000 reports (${first.reports.length})`);
      child.stdin.write('go\n');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
      const last = readAll(channel, reader);
      assert.equal(last.reports.length, 1);
      assert.equal(first.reports.length - 1 + last.lost, 20000, 'every report is delivered or counted as lost');
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      channel.close();
    }
  });

  it('is loaded by a target that switches to another user with its environment kept, which then runs unreported', function () {
    const channel = ReportChannel.open('node');
    try {
      const shared = ensurePreloadFile();
      const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', NODE, '-e', "require('fs').readFileSync('/dev/null'); console.log('ok')"], {
        env: { ...process.env, NODE_OPTIONS: `--require ${shared}`, RUNTIME_LENS_NODE_CHANNEL: channel.fifo }, encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'ok\n');
      assert.equal(readAll(channel, new ReportReader()).reports.length, 0, 'the FIFO is in a folder only the agent\'s user can enter');
    } finally {
      channel.close();
    }
  });

  it('leaves the app unchanged when no agent reads the channel', function () {
    const r = spawnSync(NODE, ['--require', preload, '-e', "require('fs').readFileSync(__filename === undefined ? '/dev/null' : '/dev/null'); console.log('ok')"],
      { env: { ...process.env, RUNTIME_LENS_NODE_CHANNEL: path.join(dir, 'no-such-fifo') }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
  });
});

describe('Node report correlation', function () {
  const base = { pid: 100, ppid: 1, uid: 0, comm: 'node', key: '100:1' as never };
  const frames = [{ file: '/app/a.js', line: 1, column: 1 }];
  function report(over: Partial<NodeReport>): NodeReport {
    return { pid: 100, tid: 100, ns: 10, op: 'fs', args: ['/f'], mode: 'e', sync: false, frames, truncated: false, ...over };
  }
  function open(tid: number, p = '/f'): LensEvent {
    return { ...base, ts: 0, tid, kind: 'open', syscall: 'openat', path: p, flags: 'O_RDONLY', ret: 3 };
  }

  it('matches a synchronous call only on its own thread, and queued work on any thread, oldest first', function () {
    const c = new Correlator();
    c.hello(100);
    const sync = report({ sync: true, ns: 5 });
    const a1 = report({ ns: 6 });
    const a2 = report({ ns: 7 });
    c.add(sync, 0); c.add(a1, 0); c.add(a2, 0);
    assert.equal(c.match(open(100), 20), sync);
    assert.equal(c.match(open(105), 20), a1);
    assert.equal(c.match(open(106), 20), a2);
    assert.equal(c.match(open(106, '/other'), 20), undefined);
  });

  it('never matches an event older than the call', function () {
    const c = new Correlator();
    c.hello(100);
    c.add(report({ ns: 50 }), 0);
    assert.equal(c.match(open(105), 40), undefined);
  });

  it("gives a fork its thread's spawn call and the child's execs until one succeeds", function () {
    const c = new Correlator();
    c.hello(100);
    const spawnCall = report({ op: 'spawn', args: [], sync: true, ns: 5 });
    c.add(spawnCall, 0);
    assert.equal(c.match({ ...base, ts: 0, tid: 100, kind: 'fork', child_pid: 200, thread: false }, 10), spawnCall);
    const exec = (ret: number): LensEvent => ({ ...base, ts: 0, pid: 200, tid: 200, ppid: 100, kind: 'exec', filename: '/bin/x', argv: [], cwd: '/', ret });
    assert.equal(c.match(exec(-2), 11), spawnCall);
    assert.equal(c.match(exec(0), 12), spawnCall);
    assert.equal(c.match(exec(0), 13), undefined, 'a later exec of the child is its own');
    assert.equal(c.match({ ...base, ts: 0, tid: 100, kind: 'fork', child_pid: 201, thread: false }, 14), undefined, 'one fork per spawn call');
  });

  it('matches paths exactly, recursively or by prefix as the call asked', function () {
    assert.ok(pathMatches('e', '/a/b', '/a/b'));
    assert.ok(!pathMatches('e', '/a/b', '/a/b/c'));
    assert.ok(pathMatches('r', '/a/b', '/a/b/c') && pathMatches('r', '/a/b', '/a'));
    assert.ok(!pathMatches('r', '/a/b', '/a/bc'));
    assert.ok(pathMatches('p', '/tmp/x-', '/tmp/x-Ab12'));
  });
});

describe('Source maps of JS frames', function () {
  it('maps a generated position to its source through an inline data: URL map', function () {
    const dir = scratchDir('source-maps');
    const script = path.join(dir, 'out.js');
    // one mapping: generated line 2 column 1 → src/in.ts line 5 column 3
    const map = { version: 3, sources: ['src/in.ts'], names: [], mappings: ';AAIE' };
    writeFileSync(script, `'use strict';\nfoo();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`);
    const o = new SourceMaps().original(script, 2, 1);
    assert.deepEqual(o, { file: path.join(dir, 'src/in.ts'), line: 5, column: 3 });
    assert.equal(new SourceMaps().original(path.join(dir, 'missing.js'), 1, 1), undefined);
  });

  it('places a call through a module binding, `(0, m.f)(…)`, at its callee as in the source, not at the argument list where V8 puts it', function () {
    const dir = scratchDir('source-maps-binding');
    const script = path.join(dir, 'out.js');
    // generated column 0 → in.ts line 1 column 3 (the callee), column 19 (the argument list) → column 15
    const map = { version: 3, sources: ['in.ts'], names: [], mappings: 'AAAE,mBAAY' };
    writeFileSync(script, `(0, m.readFileSync)(x);\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`);
    const maps = new SourceMaps();
    assert.deepEqual(maps.original(script, 1, 20), { file: path.join(dir, 'in.ts'), line: 1, column: 3 });
    assert.deepEqual(maps.original(script, 1, 21), { file: path.join(dir, 'in.ts'), line: 1, column: 15 }, 'other positions map as they are');
  });
});
