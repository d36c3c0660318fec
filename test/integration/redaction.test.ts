// No secret of a traced command line reaches NDJSON or the human output unless --no-redact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireBpf } from '../helpers/bpf';
import { CLI_ENTRY, REPO_ROOT } from '../helpers/paths';
import { fakeClientsDir, KEPT, leakedSecrets, SECRETS, secretCommand } from '../helpers/secrets';
import { assertExit, select, trace } from '../helpers/trace';

describe('trace: redaction of secrets in command lines', function () {
  let env: NodeJS.ProcessEnv;

  before(function () {
    requireBpf(this);
    env = { PATH: `${fakeClientsDir()}:${process.env.PATH}` };
  });

  it('NDJSON (exec events beside the fast syscall path) holds no secret of any covered form', async function () {
    const run = await trace(secretCommand(), ['--events', 'exec,file,syscall'], { env });
    assertExit(run, 0);
    const execs = select(run.events, 'exec');
    assert.deepEqual(execs.map((e) => e.argv[0]), ['/bin/sh', 'mysql', 'mysql', 'curl', 'sh', 'curl', 'sshpass'], 'every exec of the command was traced');
    assert.ok(run.events.some((e) => e.kind === 'syscall'), 'syscall events went through the NDJSON fast path');
    assert.deepEqual(leakedSecrets(run.stdout), [], 'secrets in NDJSON');
    assert.deepEqual(leakedSecrets(run.stderr), [], 'secrets in the summary and warnings');
    assert.deepEqual(execs[1].argv, ['mysql', '-u', 'root', '-p', '***', 'db']);
    assert.deepEqual(execs[6].argv, ['sshpass', '-p', '***', 'ssh', '-p', '2222', 'host']);
    for (const kept of KEPT) assert.ok(run.stdout.includes(kept), `"${kept}" is no secret and stays`);
  });

  it('the human output holds no secret either', function () {
    // human lines are not NDJSON: the CLI runs here without the NDJSON-parsing helper
    const run = spawnSync(process.execPath, [CLI_ENTRY, 'trace', '--', ...secretCommand()], {
      cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /sshpass\[\d+\] exec \S+\/sshpass -p "\*\*\*" ssh -p 2222 host = 0/);
    assert.deepEqual(leakedSecrets(run.stdout + run.stderr), []);
  });

  it('--no-redact shows the command lines as they were run', async function () {
    const run = await trace(secretCommand(), ['--events', 'exec', '--no-redact'], { env });
    assertExit(run, 0);
    assert.deepEqual(leakedSecrets(run.stdout), [...SECRETS]);
  });
});
