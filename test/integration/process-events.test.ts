// exec / fork / exit events of real C, shell, Python and Node workloads, field by field.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { requireBpf } from '../helpers/bpf';
import { cFixture, NODE, PYTHON, SHELL, scratchDir, scriptFixture } from '../helpers/fixtures';
import { assertExit, only, select, trace } from '../helpers/trace';

describe('trace: process events', function () {
  before(function () {
    requireBpf(this);
  });

  it('reports the exec, forks and exits of a C program and its children exactly', async function () {
    const spawn = cFixture('spawn');
    const dir = realpathSync(scratchDir('spawn'));
    const run = await trace([spawn, '9'], [], { cwd: dir });
    assertExit(run, 9);

    const main = only(run.events, 'exec', { filename: spawn });
    assert.deepEqual(main.argv, [spawn, '9']);
    assert.equal(main.cwd, dir);
    assert.equal(main.ret, 0);
    assert.equal(main.tid, main.pid);
    assert.equal(main.uid, process.getuid!());

    const forks = select(run.events, 'fork', { pid: main.pid });
    assert.equal(forks.length, 3, `three forks of pid ${main.pid}, got ${JSON.stringify(forks)}`);
    assert.ok(forks.every((f) => f.thread === false));
    const [c1, c2, c3] = forks.map((f) => f.child_pid);

    const child = only(run.events, 'exec', { pid: c1 });
    assert.equal(child.filename, '/bin/true');
    assert.deepEqual(child.argv, ['true', 'lens-arg', 'two words']);
    assert.equal(child.cwd, dir);
    assert.equal(child.ppid, main.pid);
    assert.equal(child.comm, 'true');

    assert.equal(only(run.events, 'exit', { pid: c1 }).exit_code, 0);
    assert.equal(only(run.events, 'exit', { pid: c2 }).exit_code, 3);
    const killed = only(run.events, 'exit', { pid: c3 });
    assert.equal(killed.signal, 'SIGTERM');
    const last = only(run.events, 'exit', { pid: main.pid });
    assert.equal(last.exit_code, 9);
    assert.equal(last.signal, undefined);
    assert.ok(run.summary, `a summary line with lost=N on stderr, got:\n${run.stderr}`);
    assert.equal(run.summary.lost, 0);
  });

  it('keys events by process: a pid given to a second process is a second key, and each event names its own', async function () {
    // the kernel reports global pids, so a pid namespace would not make one repeat: the fixture asks clone3 for the pid again
    const dir = realpathSync(scratchDir('reuse'));
    const run = await trace([cFixture('reuse'), dir], [], { cwd: dir });
    assertExit(run, 0);
    const main = only(run.events, 'exec', { filename: cFixture('reuse') });
    assert.match(main.key, new RegExp(`^${main.pid}:[1-9][0-9]*$`), 'key is "<pid>:<start_ns>"');
    const forks = select(run.events, 'fork', { key: main.key });
    assert.equal(forks.length, 2, `two forks of ${main.key}, got ${JSON.stringify(forks)}`);
    const [first, second] = forks;
    assert.equal(first.child_pid, second.child_pid, `the fixture gave both children pid ${first.child_pid} (it printed ${run.stdout.trim()})`);
    assert.ok(first.child_key && second.child_key && first.child_key !== second.child_key, `two keys for pid ${first.child_pid}: ${first.child_key}, ${second.child_key}`);
    const pid = first.child_pid;
    for (const [fork, name, code] of [[first, 'first', 3], [second, 'second', 4]] as const) {
      const open = only(run.events, 'open', { path: `${dir}/${name}` });
      const exit = only(run.events, 'exit', { key: fork.child_key });
      assert.deepEqual([open.pid, open.key, open.pkey], [pid, fork.child_key, main.key], `the open of ${name} is its process's`);
      assert.deepEqual([exit.pid, exit.exit_code, exit.pkey], [pid, code, main.key], `the exit of ${name}`);
    }
    assert.equal(select(run.events, 'exit', { pid }).length, 2, 'two processes with that pid exited');
    assert.ok(run.events.every((e) => typeof e.key === 'string' && e.key.startsWith(`${e.pid}:`)), 'every event has its process key');
  });

  it('reports a traced command killed by a signal and exits like a shell would (128 + signal)', async function () {
    const run = await trace([cFixture('spawn'), '-15'], [], { cwd: scratchDir('spawn-signal') });
    assertExit(run, 128 + 15);
    const main = only(run.events, 'exec', { filename: cFixture('spawn') });
    assert.equal(only(run.events, 'exit', { pid: main.pid }).signal, 'SIGTERM');
  });

  it('follows a shell script through PATH lookups, its children and its death by SIGTERM', async function () {
    const dir = realpathSync(scratchDir('shell'));
    const script = scriptFixture('shell/ops.sh');
    const run = await trace([SHELL, script, dir], [], { cwd: dir });
    assertExit(run, 128 + 15);

    const sh = only(run.events, 'exec', { filename: SHELL });
    assert.deepEqual(sh.argv, [SHELL, script, dir]);
    const child = only(run.events, 'exec', { filename: '/bin/true' });
    assert.deepEqual(child.argv, ['/bin/true', 'sh-child', 'a b']);
    assert.equal(child.ppid, sh.pid);
    const mv = select(run.events, 'exec').filter((e) => e.argv[0] === 'mv' && e.ret === 0);
    assert.equal(mv.length, 1);
    assert.deepEqual(mv[0].argv, ['mv', `${dir}/sh.txt`, `${dir}/sh2.txt`]);
    assert.match(mv[0].filename, /^(\/usr)?\/bin\/mv$/);
    assert.equal(only(run.events, 'exit', { pid: sh.pid }).signal, 'SIGTERM');
  });

  it('follows a Python program into the child it runs with subprocess', async function () {
    const dir = realpathSync(scratchDir('python'));
    const script = scriptFixture('python/ops.py');
    const run = await trace([PYTHON, script, dir, '9', '5'], [], { cwd: dir });
    assertExit(run, 5);
    const py = only(run.events, 'exec', { filename: PYTHON });
    assert.deepEqual(py.argv, [PYTHON, script, dir, '9', '5']);
    const child = only(run.events, 'exec', { filename: '/bin/true' });
    assert.deepEqual(child.argv, ['/bin/true', 'py-child', 'x y']);
    assert.equal(child.ppid, py.pid);
    assert.equal(only(run.events, 'exit', { pid: child.pid }).exit_code, 0);
    assert.equal(only(run.events, 'exit', { pid: py.pid }).exit_code, 5);
  });

  it('follows a Node program into the child it spawns', async function () {
    const dir = realpathSync(scratchDir('node'));
    const script = scriptFixture('node/server.js');
    const run = await trace([NODE, script, `${dir}/port`, '4'], [], { cwd: dir });
    assertExit(run, 4);
    const node = only(run.events, 'exec', { filename: NODE });
    assert.deepEqual(node.argv, [NODE, script, `${dir}/port`, '4']);
    const child = only(run.events, 'exec', { filename: '/bin/true' });
    assert.deepEqual(child.argv, ['true', 'node-child']);
    assert.equal(child.ppid, node.pid);
    assert.equal(only(run.events, 'exit', { pid: node.pid }).exit_code, 4);
  });
});
