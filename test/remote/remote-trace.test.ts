// `runtime-lens trace --host` against a real sshd in a network namespace whose side has no node:
// launch and attach there, the host's paths in the events, the deployment copied once and reused,
// and a clear message for an unknown or changed host key, a refused key, no privilege, and a dropped link.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REMOTE_ONLY_DIR, startSshHost, SUDO_USER, type SshHost } from '../helpers/sshd';
import { assertExit, runCli, select, startCli, trace } from '../helpers/trace';
import { waitFor } from '../helpers/procs';
import { AGENT_VERSION } from '../../remote-agent/src/version';
import type { DoctorCheck } from '../../remote-agent/src/protocol';
import { CLI_ENTRY } from '../helpers/paths';

const DATA = `${REMOTE_ONLY_DIR}/data.txt`;

describe('remote: trace --host over ssh', function () {
  this.timeout(120_000);
  let host: SshHost;
  /** --ssh-option for each of the test host's options, and keep-alives that notice a dropped link in ~2 s */
  let sshArgs: string[];
  const hostArgs = (target = host.target, options = sshArgs) => ['--host', target, ...options];

  before(async function () {
    host = await startSshHost();
    sshArgs = [...host.sshOptions, 'ServerAliveInterval=1', 'ServerAliveCountMax=2'].flatMap((o) => ['--ssh-option', o]);
  });
  after(function () { host?.stop(); });

  it('launches a command on the host: events carry the host\'s paths; the probe is copied once, then reused', async function () {
    const command = ['/bin/sh', '-c', `cd ${REMOTE_ONLY_DIR} && cat data.txt`];
    const first = await trace(command, hostArgs());
    assertExit(first, 0);
    const deployDir = `${host.rootCache}/runtime-lens-remote/${AGENT_VERSION}`;
    assert.match(first.stderr, new RegExp(`probe copied in ${deployDir}, privileges: root`));
    const cat = select(first.events, 'exec').find((e) => e.filename === '/usr/bin/cat');
    assert.ok(cat, `no exec of cat: ${first.stdout.slice(0, 1000)}`);
    assert.equal(cat.cwd, REMOTE_ONLY_DIR);
    assert.equal(select(first.events, 'open', { path: DATA }).length, 1, 'the open of the host-only file, resolved against the host cwd');
    // the deployment: a 0700 folder of the host's cache, where nothing else was needed (no node there)
    assert.equal(host.exec(['stat', '-c', '%a', deployDir]).trim(), '700');
    assert.deepEqual(host.exec(['ls', deployDir]).trim().split('\n'), ['lens-probe', 'lens-remote', 'lens-symbolize']);

    const second = await trace(command, hostArgs());
    assertExit(second, 0);
    assert.match(second.stderr, /reusing the ssh connection/);
    assert.match(second.stderr, new RegExp(`probe reused in ${deployDir}`));
    assert.equal(select(second.events, 'open', { path: DATA }).length, 1);
  });

  /**
   * A C program only the host has (built with -g here, its source here too): it opens data.txt, then
   * waits on a FIFO until the test writes it, so the trace is still running when its event is seen.
   */
  function hostOpener(): { src: string; release: () => void } {
    const src = path.join(host.dir, 'opener.c');
    writeFileSync(src, '#include <stdio.h>\nint main(void)\n{\n\tFILE *f = fopen("data.txt", "r");\n\tFILE *go = fopen("go", "r");\n\treturn f && go && fgetc(go) ? 0 : 1;\n}\n');
    execFileSync('cc', ['-g', '-O0', '-o', path.join(host.dir, 'opener'), src]);
    host.exec(['sh', '-c', `cp ${path.join(host.dir, 'opener')} ${REMOTE_ONLY_DIR}/opener && rm -f ${REMOTE_ONLY_DIR}/go && mkfifo ${REMOTE_ONLY_DIR}/go`]);
    return { src, release: () => host.exec(['sh', '-c', `echo > ${REMOTE_ONLY_DIR}/go`]) };
  }

  it('--stacks: a program that exists only on the host gets its source line, unwound there against its file', async function () {
    const opener = hostOpener();
    const run = startCli(['trace', '--json', '--stacks', '--events', 'exec,file', ...hostArgs(), '--', '/bin/sh', '-c', `cd ${REMOTE_ONLY_DIR} && ./opener`]);
    const open = await run.waitForEvent('the open of data.txt', (e) => e.kind === 'open' && e.path === DATA, 30_000);
    opener.release();
    assertExit(await run.done, 0);
    assert.deepEqual([open.source?.file, open.source?.line], [opener.src, 4], JSON.stringify(open.frames));
    assert.ok(open.frames?.some((f) => f.module === `${REMOTE_ONLY_DIR}/opener`));
  });

  it('attaches to a running process of the host: its cwd and command line come from the host', async function () {
    let loop: ChildProcess | undefined;
    try {
      loop = host.spawn(['/bin/sh', '-c', `cd ${REMOTE_ONLY_DIR} && while :; do cat data.txt >/dev/null; sleep 0.2; done`]);
      const pid = loop.pid!;
      const run = startCli(['trace', '--json', ...hostArgs(), '--pid', String(pid)]);
      // a cat the loop forked before the probe followed it may open the file without its exec in the trace: take one whose exec is there
      const exec = await run.waitForEvent('an exec of cat by the attached loop', (e) => e.kind === 'exec' && e.filename === '/usr/bin/cat');
      assert.ok(exec.kind === 'exec');
      const open = await run.waitForEvent('the open of the host-only file by that cat', (e) => e.kind === 'open' && e.path === DATA && e.pid === exec.pid);
      assert.notEqual(open.pid, pid);
      assert.equal(exec.cwd, REMOTE_ONLY_DIR, 'the cwd the attached shell had on the host');
      const result = await run.finish();
      assert.equal(result.code, 130, result.stderr);
    } finally {
      loop?.kill('SIGKILL');
    }
  });

  it('an unknown host key is refused, with how to check and accept it', async function () {
    const empty = path.join(host.dir, 'known_hosts_empty');
    writeFileSync(empty, '');
    const options = sshArgs.map((o) => o.replace(/^UserKnownHostsFile=.*/, `UserKnownHostsFile=${empty}`));
    const r = await runCli(['trace', '--json', ...hostArgs(host.target, options), '--', 'true']);
    assertExit(r, 1);
    assert.match(r.stderr, new RegExp(`the host key of ${host.target} is not in known_hosts`));
    assert.match(r.stderr, new RegExp(`fix: connect once with \`ssh ${host.target}\` in a terminal`));
  });

  it('a changed host key is refused, never accepted', async function () {
    const other = path.join(host.dir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const changed = path.join(host.dir, 'known_hosts_changed');
    writeFileSync(changed, `${host.address} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const options = sshArgs.map((o) => o.replace(/^UserKnownHostsFile=.*/, `UserKnownHostsFile=${changed}`));
    const r = await runCli(['trace', '--json', ...hostArgs(host.target, options), '--', 'true']);
    assertExit(r, 1);
    assert.match(r.stderr, /has CHANGED since it was recorded in known_hosts/);
    assert.match(r.stderr, new RegExp(`ssh-keygen -R ${host.address.replace(/\./g, '\\.')}`));
  });

  it('a refused key says so, and never asks for a password', async function () {
    const stranger = path.join(host.dir, 'id_stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const options = sshArgs.map((o) => o.replace(/^IdentityFile=.*/, `IdentityFile=${stranger}`));
    const r = await runCli(['trace', '--json', ...hostArgs(host.target, options), '--', 'true']);
    assertExit(r, 1);
    assert.match(r.stderr, new RegExp(`${host.target} refused every key ssh offered`));
    assert.match(r.stderr, /ssh-copy-id/);
  });

  it('a user without root, sudo or capabilities gets the exact command to run once on the host', async function () {
    const r = await runCli(['trace', '--json', ...hostArgs(host.unprivilegedTarget), '--', 'true']);
    assertExit(r, 1);
    const probe = `${host.dir}/home/.cache/runtime-lens-remote/${AGENT_VERSION}/lens-probe`;
    assert.match(r.stderr, /the probe cannot load eBPF programs: lensremote \(uid \d+\) is not root, `sudo -n` needs a password or is not allowed/);
    assert.ok(r.stderr.includes(`fix: on ${host.unprivilegedTarget} run once: sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep ${probe}`), r.stderr);

    // that command, run once there, is enough: the probe runs with its capabilities as the user
    host.exec(['setcap', 'cap_bpf,cap_perfmon,cap_dac_read_search+ep', probe]);
    const traced = await trace(['/bin/sh', '-c', `cat ${DATA}`], ['--events', 'exec,file', ...hostArgs(host.unprivilegedTarget)]);
    assertExit(traced, 0);
    assert.match(traced.stderr, /privileges: capabilities/);
    const open = select(traced.events, 'open', { path: DATA })[0];
    assert.ok(open, traced.stderr);
    assert.notEqual(open.uid, 0, 'the launched command runs as the user');
  });

  it('a user with passwordless sudo: the probe runs with `sudo -n`; lens-symbolize, which parses the traced program\'s files, as the user', async function () {
    const opener = hostOpener();
    const deployDir = `${host.dir}/home-sudo/.cache/runtime-lens-remote/${AGENT_VERSION}`;
    const run = startCli(['trace', '--json', '--stacks', '--events', 'exec,file', ...hostArgs(host.sudoTarget), '--', '/bin/sh', '-c', `cd ${REMOTE_ONLY_DIR} && ./opener`]);
    const open = await run.waitForEvent('the open of data.txt', (e) => e.kind === 'open' && e.path === DATA, 30_000);
    // while the program waits, the session's helpers run on the host: the probe as root, the symbolizer as the user
    const users = (program: string) => new Set(host.exec(['sh', '-c', 'ps -eo user:20,args || true']).split('\n')
      .map((l) => l.trim().split(/\s+/)).filter(([, exe]) => exe === `${deployDir}/${program}`).map(([user]) => user));
    const symbolizers = users('lens-symbolize');
    const probes = users('lens-probe');
    opener.release();
    const r = await run.done;
    assertExit(r, 0);
    assert.match(r.stderr, new RegExp(`probe copied in ${deployDir}, privileges: sudo`));
    assert.deepEqual([...probes], ['root']);
    assert.deepEqual([...symbolizers], [SUDO_USER], 'lens-symbolize never runs with the probe\'s privileges');
    assert.equal(open.uid, 0, 'with sudo the launched command runs as root');
    assert.deepEqual([open.source?.file, open.source?.line], [opener.src, 4], 'unwound as the user, from the mappings the probe recorded');
  });

  it('a dropped link ends the trace "disconnected" and keeps the events received until then', async function () {
    const run = startCli(['trace', '--json', ...hostArgs(), '--', '/bin/sh', '-c', `while :; do cat ${DATA} >/dev/null; sleep 0.1; done`]);
    await run.waitForEvent('an open of the host-only file', (e) => e.kind === 'open' && e.path === DATA);
    const before = run.events().length;
    host.setLink(false);
    let result;
    try {
      result = await run.done;
      // the link stays down (as when a laptop's network goes): the host's side, no longer hearing from the
      // agent, stops the probe and its launched loop on its own, without waiting for sshd or TCP to notice
      await waitFor('the probe and the traced loop to end on the host while the link is down', () => {
        const ps = host.exec(['sh', '-c', 'ps -eo args || true']);
        return !ps.includes(`cat ${DATA} >/dev/null; sleep 0.1`) && !/lens-probe .*sleep 0\.1/.test(ps);
      }, 60_000);
    } finally {
      host.setLink(true);
      await host.reachable();
    }
    assertExit(result, 1);
    assert.match(result.stderr, new RegExp(`the connection to ${host.target} dropped`));
    assert.match(result.stderr, /later ones \(how many is not known\) were missed/);
    assert.ok(result.events.length >= before, 'every event printed before the drop is kept');
    assert.ok(select(result.events, 'open', { path: DATA }).length >= 1);
  });

  it('doctor --host checks the host: the link, the deployment, and the kernel there', function () {
    const r = spawnSync(process.execPath, [CLI_ENTRY, 'doctor', '--json', ...hostArgs()], { encoding: 'utf8' });
    const checks = JSON.parse(r.stdout) as DoctorCheck[];
    const check = (name: string) => checks.find((c) => c.name === name);
    assert.match(check('ssh')?.detail ?? '', new RegExp(`connected to ${host.target} as root`));
    assert.match(check('deployment')?.detail ?? '', /runtime-lens-remote/);
    assert.equal(check('raw tracepoints')?.ok, true, JSON.stringify(checks));
    // what is missing is missing there (e.g. tracefs in the host's own /sys): each fix says where to run it
    for (const c of checks.filter((c) => !c.ok)) assert.ok(c.fix?.startsWith(`on ${host.target} run: `), JSON.stringify(c));
    assert.equal(r.status, checks.every((c) => c.ok) ? 0 : 1);
  });

  it('doctor --host for an unreachable host says so as its first check', function () {
    const r = spawnSync(process.execPath, [CLI_ENTRY, 'doctor', '--host', 'root@10.231.0.250', '--ssh-option', 'ConnectTimeout=2'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FAIL +ssh +cannot reach root@10\.231\.0\.250 over ssh/);
  });
});
