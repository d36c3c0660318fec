import assert from 'node:assert/strict';
// The process tree the extension's Processes view and the webview's process tree share: one node per process key.
import { ProcessTree, processCommandLine } from '../../../remote-agent/src/model/process-tree';
import { ev } from '../extension/helpers/fakeAgent';

describe('process tree (extension and webview)', () => {
  it('builds ancestry from fork/exec/exit with command lines and exit codes', () => {
    const t = new ProcessTree();
    t.apply([
      ev('exec', 1, 100, { argv: ['sh', '-c', 'curl x; ls'], comm: 'sh', filename: '/bin/sh' }),
      ev('fork', 2, 100, { child_pid: 101 }),
      ev('exec', 3, 101, { ppid: 100, argv: ['curl', 'x'], comm: 'curl', filename: '/usr/bin/curl' }),
      ev('open', 4, 101),
      ev('exit', 5, 101, { exit_code: 6 }),
      ev('fork', 6, 100, { child_pid: 102 }),
      ev('fork', 6.5, 102, { child_pid: 999, thread: true }),
      ev('exec', 7, 102, { ppid: 100, argv: ['ls'], comm: 'ls' }),
      ev('exit', 8, 102, { exit_code: 0 }),
    ]);
    assert.equal(t.roots.length, 1);
    const sh = t.roots[0];
    assert.equal(processCommandLine(sh), 'sh -c curl x; ls');
    assert.deepEqual(sh.children.map((c) => [c.pid, c.comm, c.exitCode]), [[101, 'curl', 6], [102, 'ls', 0]]);
    assert.equal(sh.children[0].events, 3, 'exec, open and exit counted on curl');
    assert.equal(sh.endTs, undefined, 'the shell is still running');
    assert.equal(t.runningPid(999), undefined, 'a thread is not a process');
  });

  it('a reused pid is two processes: the old one keeps its exit code and its events, the new one has its own', () => {
    const t = new ProcessTree();
    t.apply([
      ev('exec', 1, 50, { argv: ['parent'] }),
      ev('fork', 2, 50, { child_pid: 60, child_key: '60:2000' }),
      ev('exec', 2.5, 60, { key: '60:2000', pkey: '50:1000', ppid: 50, argv: ['first'] }),
      ev('exit', 3, 60, { key: '60:2000', pkey: '50:1000', ppid: 50, exit_code: 1 }),
      ev('fork', 4, 50, { child_pid: 60, child_key: '60:4000' }),
      ev('open', 5, 60, { key: '60:4000', pkey: '50:1000', ppid: 50 }),
      ev('tcp_close', 6, 60, { key: '60:2000', pkey: '50:1000', ppid: 50 }), // the first one's socket, closed late
    ]);
    const kids = t.roots[0].children;
    assert.deepEqual(kids.map((c) => [c.key, c.pid, processCommandLine(c), c.exitCode, c.endTs, c.events]),
      [['60:2000', 60, 'first', 1, 3, 3], ['60:4000', 60, 'parent', undefined, undefined, 1]]);
    assert.equal(t.runningPid(60), kids[1]);
    assert.equal(t.size, 3);
  });

  it('a pid taken by a new process before the old one\'s exit was seen ends the old one', () => {
    const t = new ProcessTree();
    t.apply([ev('open', 1, 70, { key: '70:1' }), ev('open', 2, 70, { key: '70:2' })]);
    assert.deepEqual(t.roots.map((n) => [n.key, n.endTs]), [['70:1', 2], ['70:2', undefined]]);
  });

  it('a process seen before its parent\'s fork moves under that parent', () => {
    const t = new ProcessTree();
    t.apply([ev('exec', 1, 10, { argv: ['sh'] }), ev('open', 2, 11, { ppid: 99 }), ev('fork', 3, 10, { child_pid: 11 })]);
    assert.deepEqual(t.roots.map((n) => [n.pid, n.children.map((c) => c.pid)]), [[10, [11]]]);
  });

  it('counts processes beyond its limit instead of growing', () => {
    const t = new ProcessTree({ maxNodes: 3 });
    t.apply([1, 2, 3, 4, 5].map((pid) => ev('exec', pid, pid)));
    assert.equal(t.size, 3);
    assert.equal(t.omitted, 2);
  });

  it('does not take a failed exec as the new program', () => {
    const t = new ProcessTree();
    t.apply([ev('exec', 1, 10, { argv: ['a'] }), ev('exec', 2, 10, { argv: ['missing'], ret: -2, errno: 'ENOENT' })]);
    assert.deepEqual(t.runningPid(10)?.argv, ['a']);
  });

  it('events of a process that arrive after its exit (a tcp_close) count on it, not as a new process with no exit', () => {
    const t = new ProcessTree();
    t.apply([
      ev('exec', 1, 50, { argv: ['server'] }),
      ev('fork', 2, 50, { child_pid: 60 }),
      ev('connect', 3, 60, { ppid: 50 }),
      ev('exit', 4, 60, { ppid: 50, exit_code: 0 }),
      ev('tcp_close', 5, 60, { ppid: 50, family: 'AF_INET', saddr: '127.0.0.1', sport: 40000, daddr: '127.0.0.1', dport: 8080, bytes_sent: 1, bytes_received: 2 }),
      ev('exit', 6, 60, { ppid: 50, exit_code: 0 }),
    ]);
    assert.equal(t.size, 2, 'server and its child, nothing more');
    const kids = t.roots[0].children;
    assert.deepEqual(kids.map((c) => [c.pid, c.exitCode, c.endTs, c.events]), [[60, 0, 4, 4]]);
    assert.equal(t.runningPid(60), undefined, 'not live again');
    // A new process with that pid starts with its fork, and is a node of its own.
    t.apply([ev('fork', 7, 50, { child_pid: 60, child_key: '60:7000' }), ev('open', 8, 60, { ppid: 50, key: '60:7000' })]);
    assert.deepEqual(t.roots[0].children.map((c) => [c.pid, c.endTs, c.events]), [[60, 4, 4], [60, undefined, 1]]);
  });

  it('a process first seen at its exit (attached late) keeps its exit status', () => {
    const t = new ProcessTree();
    t.apply([ev('exit', 1, 77, { exit_code: 143, signal: 'SIGTERM', comm: 'sleep' })]);
    assert.equal(t.roots[0].pid, 77);
    assert.equal(t.roots[0].signal, 'SIGTERM');
    assert.equal(t.roots[0].endTs, 1);
    assert.equal(t.runningPid(77), undefined, 'no longer live');
  });

  it('a forked child shows its parent\'s command line until its own exec', () => {
    const t = new ProcessTree();
    t.apply([ev('exec', 1, 10, { argv: ['node', 'server.js'], comm: 'node', cwd: '/app' }), ev('fork', 2, 10, { child_pid: 11, comm: 'node' })]);
    const child = t.runningPid(11)!;
    assert.equal(processCommandLine(child), 'node server.js');
    assert.equal(child.inherited, true);
    assert.equal(child.cwd, '/app');
    t.apply([ev('exec', 3, 11, { ppid: 10, argv: ['sh', '-c', 'ls'], comm: 'sh' })]);
    assert.equal(processCommandLine(child), 'sh -c ls');
    assert.equal(child.inherited, false);
    assert.deepEqual(t.runningPid(10)?.argv, ['node', 'server.js'], 'the parent keeps its own');
  });

  it('an attached process is named by the command line it was picked with, and passes it to its children', () => {
    const t = new ProcessTree();
    t.setCommandLine(40, '/usr/bin/node app.js --port 8080');
    t.apply([ev('open', 1, 40, { comm: 'node' }), ev('fork', 2, 40, { child_pid: 41, comm: 'node' })]);
    assert.equal(processCommandLine(t.roots[0]), '/usr/bin/node app.js --port 8080');
    assert.equal(processCommandLine(t.runningPid(41)!), '/usr/bin/node app.js --port 8080');
    // given after the first event: still applies to the running process
    t.setCommandLine(50, 'python3 -m http.server');
    t.apply([ev('open', 3, 50, { comm: 'python3' })]);
    assert.equal(processCommandLine(t.runningPid(50)!), 'python3 -m http.server');
    const u = new ProcessTree();
    u.apply([ev('open', 1, 70, { comm: 'bash' })]);
    u.setCommandLine(70, 'bash --login');
    assert.equal(processCommandLine(u.runningPid(70)!), 'bash --login');
  });

  it('a later process reusing the attached pid is not given its command line', () => {
    const t = new ProcessTree();
    t.setCommandLine(40, 'old program');
    t.apply([ev('exec', 1, 30, { argv: ['parent'] }), ev('fork', 2, 30, { child_pid: 40 })]);
    assert.equal(t.runningPid(40)?.key, '40:1000');
    assert.equal(processCommandLine(t.runningPid(40)!), 'parent', 'inherited from its real parent, not the attach');
  });
});
