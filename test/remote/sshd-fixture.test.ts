// The test host itself: a real sshd reached with the test key, where node does not exist
// and /mnt holds files only the remote side sees.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REMOTE_ONLY_DIR, startSshHost, type SshHost } from '../helpers/sshd';

function ssh(host: SshHost, target: string, command: string): string {
  return execFileSync('ssh', [...host.sshOptions.flatMap((o) => ['-o', o]), '-o', 'BatchMode=yes', target, command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('remote: the sshd test host', function () {
  let host: SshHost;
  before(async function () { host = await startSshHost(); });
  after(function () { host?.stop(); });

  it('logs in as root and as the unprivileged user with the test key', function () {
    assert.equal(ssh(host, host.target, 'id -u').trim(), '0');
    assert.equal(ssh(host, host.unprivilegedTarget, 'id -un').trim(), 'lensremote');
  });

  it('has no node, and files the local machine does not have', function () {
    assert.equal(ssh(host, host.target, 'command -v node nodejs || echo none').trim(), 'none');
    assert.equal(ssh(host, host.target, `cat ${REMOTE_ONLY_DIR}/data.txt`).trim(), 'remote-only');
    assert.equal(existsSync(`${REMOTE_ONLY_DIR}/data.txt`), false);
  });
});
