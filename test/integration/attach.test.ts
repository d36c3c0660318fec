// `--pid`: attach to a process that is already running and follow its new children.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { only, startCli } from '../helpers/trace';

describe('trace --pid: attach to a running process', function () {
  before(function () {
    requireBpf(this);
  });

  it('reports the opens of the running process and the exec of the child it starts after attaching', async function () {
    const dir = scratchDir('attach');
    const target = spawn(cFixture('attachee'), [], { stdio: ['pipe', 'ignore', 'inherit'] });
    target.stdin!.on('error', () => {}); // a write racing the target's exit must not crash the run
    const exited = new Promise<number | null>((resolve) => target.on('exit', (code) => resolve(code)));
    try {
      const run = startCli(['trace', '--json', '--pid', String(target.pid)]);
      // Until the probe is attached the markers go unseen: keep opening new ones until one shows up.
      let n = 0;
      const tick = setInterval(() => target.stdin!.write(`open ${dir}/marker-${++n}\n`), 50);
      let marker;
      try {
        marker = await run.waitForEvent('a marker open from the attached process', (e) => e.kind === 'open' && e.pid === target.pid && e.path.startsWith(`${dir}/marker-`));
      } finally {
        clearInterval(tick);
      }
      assert.equal(marker.kind === 'open' && marker.errno, 'ENOENT');

      target.stdin!.write('spawn attach-child\n');
      const exec = await run.waitForEvent('the exec of the new child', (e) => e.kind === 'exec' && e.ppid === target.pid);
      assert.ok(exec.kind === 'exec');
      assert.equal(exec.filename, '/bin/true');
      assert.deepEqual(exec.argv, ['true', 'attach-child']);
      assert.equal(exec.ppid, target.pid);
      await run.waitForEvent('the exit of the new child', (e) => e.kind === 'exit' && e.pid === exec.pid);

      target.stdin!.write('exit 6\n');
      assert.equal(await exited, 6);
      const result = await run.done; // ends by itself when the attached process exits
      assert.equal(only(result.events, 'exit', { pid: target.pid }).exit_code, 6);
      only(result.events, 'fork', { pid: target.pid, child_pid: exec.pid });
      assert.ok(result.summary, `summary on stderr:\n${result.stderr}`);
      assert.equal(result.summary.lost, 0);
    } finally {
      target.kill('SIGKILL');
    }
  });
});
