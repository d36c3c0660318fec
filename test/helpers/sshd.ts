// A real remote host for SSH tests: OpenSSH's sshd in its own network namespace (a veth pair,
// addresses in 10.231.X.0/30) and its own mount namespace, in which no `node` exists (each node
// on the default PATH is deleted in an overlay) and /mnt is a tmpfs only the "remote" sees.
// A generated host key and test key; logins as root and as a user with no privilege
// (`lensremote`, listed in a passwd/shadow bind-mounted for sshd only).
// Used by test/remote and by the e2e test of "Connect to Remote Host…".
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_OUTPUT } from './paths';
import { waitFor } from './procs';

/** The user with no root, no sudo and no capability-granted probe on the host. */
export const UNPRIVILEGED_USER = 'lensremote';
const UNPRIVILEGED_UID = 61723;
/** The user whose `sudo -n` works on the host (NOPASSWD in the host's own /etc/sudoers). */
export const SUDO_USER = 'lenssudo';
const SUDO_UID = 61724;
/** Folder only the remote host has (a tmpfs over /mnt in sshd's mount namespace). */
export const REMOTE_ONLY_DIR = '/mnt/lens-remote-only';

/** A started host; stop() removes everything it made. */
export interface SshHost {
  /** `root@ADDRESS` (port 22) */
  target: string;
  /** `lensremote@ADDRESS` */
  unprivilegedTarget: string;
  /** `lenssudo@ADDRESS` (passwordless sudo) */
  sudoTarget: string;
  address: string;
  /** ssh `-o` options (Key=Value) that reach this host with the test key and its known_hosts */
  sshOptions: string[];
  /** the same as a client config file, for `ssh -F` or a test user's ~/.ssh/config */
  configFile: string;
  /** private key file of the test key */
  identityFile: string;
  /** known_hosts holding this host's key */
  knownHosts: string;
  /** the network namespace */
  netns: string;
  /** the scratch folder (keys, configs, the unprivileged user's home) */
  dir: string;
  /** root's cache folder on the host (XDG_CACHE_HOME of its logins), where the agent deploys */
  rootCache: string;
  /** runs a command inside the host's network and mount namespaces (as the remote sees files) */
  exec(command: string[], input?: string): string;
  /** starts a long-running command there (ended by stop() if still running) */
  spawn(command: string[]): ChildProcess;
  /** takes the host's end of the link down (a dropped connection) or up again */
  setLink(up: boolean): void;
  /** resolves once the host's sshd accepts TCP connections (after the link came up again) */
  reachable(): Promise<void>;
  stop(): void;
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
}

/** A free 10.231.X.0/30 and names for it (several hosts may exist at once, from several test runs). */
function pickNetwork(): { n: number; netns: string; hostIf: string; nsIf: string } {
  const used = run('ip', ['-o', 'addr']);
  for (let tries = 0; tries < 200; tries++) {
    const n = 1 + Math.floor(Math.random() * 250);
    const netns = `lens-ssh-${n}`;
    if (used.includes(`10.231.${n}.`) || existsSync(`/run/netns/${netns}`)) continue;
    return { n, netns, hostIf: `lsh${n}h`, nsIf: `lsh${n}n` };
  }
  throw new Error('no free 10.231.X.0/30 network for a test ssh host');
}

/** Folders of the default PATH of a login that hold node or nodejs (what the remote side must not have). */
function nodeDirs(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    for (const name of ['node', 'nodejs']) {
      if (!existsSync(path.join(dir, name))) continue;
      const real = realpathSync(dir);
      found.set(real, [...new Set([...(found.get(real) ?? []), name])]);
    }
  }
  return found;
}

/** Shell lines that make node absent: each folder holding it gets an overlay (upper layer on a tmpfs) in which it is deleted. */
function hideNode(scratch: string): string[] {
  const lines = [`mkdir -p ${scratch}`, `mount -t tmpfs lens-hide-node ${scratch}`];
  [...nodeDirs()].forEach(([dir, names], i) => {
    const upper = `${scratch}/${i}/upper`, work = `${scratch}/${i}/work`;
    lines.push(`mkdir -p ${upper} ${work}`, `mount -t overlay lens-hide-node -o lowerdir=${dir},upperdir=${upper},workdir=${work} ${dir}`,
      ...names.map((n) => `rm -f ${dir}/${n}`));
  });
  return lines;
}

/** SIGKILLs every process in the mount namespace of `pid` but `pid` itself. */
function killNamespace(pid: number): void {
  const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/mnt`) === ns) process.kill(Number(entry), 'SIGKILL');
    } catch { /* gone, or not ours to read */ }
  }
}

/** Starts sshd in fresh namespaces; resolves once it accepts connections. */
export async function startSshHost(): Promise<SshHost> {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const dir = mkdtempSync(path.join(TEST_OUTPUT, 'sshd-'));
  chmodSync(dir, 0o755);
  const net = pickNetwork();
  const address = `10.231.${net.n}.2`;
  let sshd: ChildProcess | undefined;
  // undone in reverse: sshd, the link, the namespace, the folder
  const cleanups: Array<() => void> = [() => rmSync(dir, { recursive: true, force: true })];
  const stop = () => {
    for (const c of cleanups.reverse()) { try { c(); } catch { /* already gone */ } }
    cleanups.length = 0;
  };
  try {
    // keys: the host's, and the client's (authorized for root and the unprivileged user)
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lens-test-host', '-f', path.join(dir, 'host_key')]);
    const identityFile = path.join(dir, 'id_test');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lens-test-client', '-f', identityFile]);
    const pub = readFileSync(`${identityFile}.pub`, 'utf8');
    const authorized = path.join(dir, 'authorized_keys');
    writeFileSync(authorized, pub, { mode: 0o644 });
    const knownHosts = path.join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${address} ${readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);

    // the unprivileged and the sudo user, known to the host only (bind-mounted passwd, shadow, sudoers)
    const users: Array<[string, number, string]> = [[UNPRIVILEGED_USER, UNPRIVILEGED_UID, path.join(dir, 'home')], [SUDO_USER, SUDO_UID, path.join(dir, 'home-sudo')]];
    for (const [, uid, home] of users) {
      mkdirSync(home, { mode: 0o755 });
      chmodSync(home, 0o755);
      run('chown', [`${uid}:${uid}`, home]);
    }
    const passwd = path.join(dir, 'passwd');
    const shadow = path.join(dir, 'shadow');
    const sudoers = path.join(dir, 'sudoers');
    writeFileSync(passwd, `${readFileSync('/etc/passwd', 'utf8').trimEnd()}\n${users.map(([u, uid, home]) => `${u}:x:${uid}:${uid}::${home}:/bin/sh`).join('\n')}\n`);
    writeFileSync(shadow, `${readFileSync('/etc/shadow', 'utf8').trimEnd()}\n${users.map(([u]) => `${u}:*:20000:0:99999:7:::`).join('\n')}\n`, { mode: 0o640 });
    writeFileSync(sudoers, `${existsSync('/etc/sudoers') ? readFileSync('/etc/sudoers', 'utf8').trimEnd() : ''}\n${SUDO_USER} ALL=(ALL) NOPASSWD: ALL\n`);
    chmodSync(sudoers, 0o440);

    const rootCache = path.join(dir, 'root-cache');
    mkdirSync(rootCache, { mode: 0o700 });
    const config = path.join(dir, 'sshd_config');
    writeFileSync(config, [
      `ListenAddress ${address}`, 'Port 22', `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${authorized}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'PermitRootLogin prohibit-password', 'StrictModes no',
      `PidFile ${path.join(dir, 'sshd.pid')}`, 'LogLevel VERBOSE', 'PrintMotd no',
      // no ClientAlive (Debian's default): sshd does not notice a dropped client; the host's side must
      // end its probes by itself (lens-remote mux --alive)
      // root's cache (where the agent deploys) inside this host's folder, not the machine's /root/.cache
      'Match User root', `  SetEnv XDG_CACHE_HOME=${rootCache}`,
    ].join('\n') + '\n');

    // the network: veth pair, the host's end in the namespace
    run('ip', ['netns', 'add', net.netns]);
    cleanups.push(() => run('ip', ['netns', 'del', net.netns]));
    run('ip', ['link', 'add', net.hostIf, 'type', 'veth', 'peer', 'name', net.nsIf]);
    cleanups.push(() => { if (run('ip', ['-o', 'link']).includes(`${net.hostIf}@`)) run('ip', ['link', 'del', net.hostIf]); });
    run('ip', ['link', 'set', net.nsIf, 'netns', net.netns]);
    run('ip', ['addr', 'add', `10.231.${net.n}.1/30`, 'dev', net.hostIf]);
    run('ip', ['link', 'set', net.hostIf, 'up']);
    const nsRun = (...args: string[]) => run('ip', ['netns', 'exec', net.netns, ...args]);
    nsRun('ip', 'addr', 'add', `${address}/30`, 'dev', net.nsIf);
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    // sshd in its own mount namespace: no node, the remote-only folder, the extra user
    const mounts = [
      ...hideNode(path.join(dir, 'hide-node')),
      'mount -t tmpfs -o mode=0755 lens-remote /mnt', `mkdir -p ${REMOTE_ONLY_DIR}`,
      `echo remote-only > ${REMOTE_ONLY_DIR}/data.txt`, `chmod -R a+rX ${REMOTE_ONLY_DIR}`,
      `mount --bind ${passwd} /etc/passwd`, `mount --bind ${shadow} /etc/shadow`, `if [ -e /etc/sudoers ]; then mount --bind ${sudoers} /etc/sudoers; fi`,
      // `ip netns exec` gave this namespace a /sys of its own: tracefs as on the machine (scripts/setup.sh mounts it)
      'mount -t tracefs tracefs /sys/kernel/tracing',
      `exec /usr/sbin/sshd -D -e -f ${config}`,
    ];
    sshd = spawn('ip', ['netns', 'exec', net.netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-ec', mounts.join('\n')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = sshd;
    let log = '';
    started.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    cleanups.push(() => { if (started.exitCode === null) started.kill('SIGTERM'); });
    // every process of the host (sessions, probes, traced programs) lives in sshd's mount namespace
    cleanups.push(() => killNamespace(started.pid!));

    nsRun('ip', 'link', 'set', 'lo', 'up');
    nsRun('ip', 'link', 'set', net.nsIf, 'up');
    await waitFor('sshd to listen', () => log.includes('Server listening') || started.exitCode !== null);
    if (started.exitCode !== null) throw new Error(`sshd did not start: ${log}`);

    const sshOptions = [
      `IdentityFile=${identityFile}`, 'IdentitiesOnly=yes', `UserKnownHostsFile=${knownHosts}`,
      'GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes', 'IdentityAgent=none',
    ];
    const configFile = path.join(dir, 'ssh_config');
    writeFileSync(configFile, `Host ${address}\n${sshOptions.map((o) => `  ${o.replace('=', ' ')}`).join('\n')}\n`);
    const sshdPid = () => Number(readFileSync(path.join(dir, 'sshd.pid'), 'utf8'));
    await waitFor('sshd to write its pid file', () => existsSync(path.join(dir, 'sshd.pid')));
    return {
      target: `root@${address}`, unprivilegedTarget: `${UNPRIVILEGED_USER}@${address}`, sudoTarget: `${SUDO_USER}@${address}`, address, sshOptions, configFile,
      identityFile, knownHosts, netns: net.netns, dir,
      rootCache,
      exec: (command, input) => run('nsenter', ['-t', String(sshdPid()), '-n', '-m', '--', ...command], input),
      spawn: (command) => spawn('nsenter', ['-t', String(sshdPid()), '-n', '-m', '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] }),
      setLink: (up) => nsRun('ip', 'link', 'set', net.nsIf, up ? 'up' : 'down'),
      reachable: () => waitFor(`${address}:22 to accept connections`, () => canConnect(address, 22), 30_000).then(() => undefined),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/** Whether a TCP connection to address:port opens now. */
export function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
