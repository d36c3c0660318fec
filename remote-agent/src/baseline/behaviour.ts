/*
 * What an event says a program does, in the terms of a behaviour profile:
 * an executable with its arguments' shape, a kind of access to a directory,
 * an endpoint (host and port), a name looked up, a syscall. Volatile parts
 * (pids in /proc, the random folder names of temp files, a local server's
 * ephemeral port) are replaced, so two runs of the same program give the
 * same behaviours. Shared by `baseline record`, drift findings and the
 * extension's Compare with Baseline.
 */
import type { ProcessTree } from '../model/process-tree';
import type { LensEvent } from '../protocol';

/** The four parts of a profile. */
export type BehaviourCategory = 'executable' | 'file' | 'endpoint' | 'syscall';

/** One behaviour: its category, its identity in the profile, and how to say it. */
export interface Behaviour {
  category: BehaviourCategory;
  /** identity within the category (the profile's key) */
  key: string;
  /** the profile's grouping of it: "/bin/sh -c <str>", "read /etc", "connect tcp 127.0.0.1:80", "openat" */
  group: string;
  /** this event's instance, for a finding: "runs /bin/sh -c 'id'", "reads /etc/passwd", "connects to 10.0.0.1:443" */
  text: string;
}

const TEMP_ROOTS = ['/tmp/', '/var/tmp/', '/dev/shm/'];

/** A path with its volatile parts replaced: /proc/1234/maps → /proc/<pid>/maps; /tmp/tmp.Xa81k/f → /tmp/*\/f. */
export function stablePath(p: string, tempRoots: readonly string[] = TEMP_ROOTS): string {
  // eslint-disable-next-line no-restricted-syntax -- the shape of a path the traced program used, not a read of host facts
  let out = p.replace(/^\/proc\/\d+(?=\/|$)/, '/proc/<pid>').replace(/^\/proc\/<pid>\/task\/\d+(?=\/|$)/, '/proc/<pid>/task/<tid>');
  for (const root of tempRoots) {
    if (out.startsWith(root) && out.length > root.length) {
      const rest = out.slice(root.length);
      const slash = rest.indexOf('/');
      // a file right in the temp folder keeps its name only as its folder's member (dirname is the root)
      out = slash < 0 ? root + rest : root + '*' + rest.slice(slash);
      break;
    }
  }
  return out;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** One argument's shape: flags as written (a value after `=` shaped), numbers, paths and other values as placeholders. */
export function argShape(arg: string): string {
  if (/^--?[A-Za-z][\w-]*=/.test(arg)) {
    const eq = arg.indexOf('=');
    return `${arg.slice(0, eq + 1)}${argShape(arg.slice(eq + 1))}`;
  }
  if (/^--?[A-Za-z][\w-]*$/.test(arg)) return arg;
  if (/^-?\d+(\.\d+)?$/.test(arg)) return '<num>';
  if (/^(0x)?[0-9a-f]{8,}$/i.test(arg)) return '<hex>';
  if (/\s/.test(arg)) return '<str>'; // a shell string, a message
  if (arg.includes('/')) return '<path>';
  if (/^[a-z][\w.-]{0,63}$/i.test(arg)) return arg; // a subcommand, a name, a script: `git push`, `npm install`, `app.js`
  return '<str>';
}

/** The arguments' shape (argv[1..]) of an exec. */
export function argvShape(argv: readonly string[]): string {
  return argv.slice(1).map(argShape).join(' ');
}

/** Which access an open or file operation is: read, write, delete, rename, create, chmod, chown, link, chdir. */
function fileAccess(e: LensEvent): string | undefined {
  switch (e.kind) {
    case 'open': return /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(e.flags) ? 'write' : 'read';
    case 'unlink': case 'rmdir': return 'delete';
    case 'mkdir': return 'create';
    case 'truncate': return 'write';
    case 'rename': case 'link': case 'symlink': case 'chmod': case 'chown': case 'chdir': return e.kind;
    default: return undefined;
  }
}

const ACCESS_VERB: Record<string, string> = {
  read: 'reads', write: 'writes', delete: 'deletes', create: 'creates', rename: 'renames', link: 'links', symlink: 'symlinks', chmod: 'changes the mode of', chown: 'changes the owner of', chdir: 'enters',
};

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** A loopback port the kernel picked (a local server on port 0): not a stable identity. Linux's default ip_local_port_range. */
function stablePort(addr: string, port: number): string {
  const loopback = /^127\./.test(addr) || addr === '::1' || addr === '::ffff:127.0.0.1';
  return loopback && port >= 32768 && port <= 60999 ? '<ephemeral>' : String(port);
}

function hostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The behaviours an event shows (none for forks, exits, closes, findings). */
export function behavioursOf(e: LensEvent): Behaviour[] {
  switch (e.kind) {
    case 'exec': {
      if (e.ret !== 0) return []; // a failed exec (PATH lookups) ran nothing
      const exe = stablePath(e.filename);
      const shape = argvShape(e.argv);
      return [{ category: 'executable', key: `${exe} ${shape}`, group: shape ? `${exe} ${shape}` : exe, text: `runs ${[e.filename, ...e.argv.slice(1)].map(quoteArg).join(' ')}` }];
    }
    case 'connect': case 'udp_send': case 'bind': case 'listen': case 'accept': {
      if (e.family === 'AF_UNIX') {
        const p = e.path ? stablePath(e.path) : '(unnamed)';
        return [{ category: 'endpoint', key: `${e.kind} unix ${p}`, group: `${e.kind} unix ${p}`, text: `${e.kind === 'connect' || e.kind === 'udp_send' ? 'connects to' : e.kind === 'accept' ? 'accepts on' : e.kind === 'listen' ? 'listens on' : 'binds'} unix socket ${e.path ?? '(unnamed)'}` }];
      }
      const proto = e.proto ?? (e.kind === 'udp_send' ? 'udp' : 'tcp');
      const outward = e.kind === 'connect' || e.kind === 'udp_send';
      const host = outward ? e.dns ?? e.daddr : e.saddr;
      const port = outward ? e.dport : e.sport;
      const shown = hostPort(host, stablePort(outward ? e.daddr : e.saddr, port));
      const key = `${e.kind} ${proto} ${shown}`;
      const verb = e.kind === 'connect' ? 'connects to' : e.kind === 'udp_send' ? 'sends UDP to' : e.kind === 'listen' ? 'listens on' : e.kind === 'accept' ? 'accepts on' : 'binds';
      const addr = outward && e.dns && e.dns !== e.daddr ? ` (${e.daddr})` : '';
      return [{ category: 'endpoint', key, group: key, text: `${verb} ${hostPort(host, String(port))}${addr}` }];
    }
    case 'dns':
      return [{ category: 'endpoint', key: `lookup ${e.name}`, group: `lookup ${e.name}`, text: `looks up ${e.name}` }];
    case 'syscall':
      return [{ category: 'syscall', key: e.name, group: e.name, text: `calls ${e.name}` }];
    default: {
      const access = fileAccess(e);
      if (!access || !('path' in e)) return [];
      const dir = e.kind === 'chdir' || e.kind === 'mkdir' || e.kind === 'rmdir' ? stablePath(e.path) : dirname(stablePath(e.path));
      const group = `${access} ${dir}`;
      return [{ category: 'file', key: group, group, text: `${ACCESS_VERB[access]} ${e.path}` }];
    }
  }
}

/**
 * Whether `e` reads the file its own process runs (`processes` has applied it: the program from the
 * process's exec, or its parent's at a fork). That is part of running it, not a file access: V8 reads
 * its own binary at start-up or not, as the placement of its code happens to need (a run and its
 * baseline would differ by chance).
 */
export function readsOwnImage(e: LensEvent, processes: ProcessTree): boolean {
  return e.kind === 'open' && fileAccess(e) === 'read' && processes.get(e.key)?.filename === e.path;
}
