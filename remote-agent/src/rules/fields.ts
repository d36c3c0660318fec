/*
 * The fields a rule's condition and output can use: Falco's names, read from
 * our events (event-facts.ts), plus src.* for the event's source line. A
 * field of Falco's that we cannot fill is in FALCO_ONLY_FIELDS: a rule using
 * it is reported and skipped, never evaluated wrongly.
 */
import { eventPackages } from '../model/packages';
import type { LensEvent } from '../protocol';
import type { EventFacts, ProcFacts } from './event-facts';

/** A field's value: absent (undefined) makes every comparison false and `exists` false. */
export type FieldValue = string | number | boolean | readonly string[] | readonly number[] | undefined;
export type FieldType = 'string' | 'number' | 'bool' | 'strings' | 'numbers';

/** One field: its type, what argument it takes (`proc.aname[2]`, `proc.env[PATH]`), how it is read, what it is. */
export interface FieldSpec {
  type: FieldType;
  arg?: 'index' | 'name';
  get(f: EventFacts, arg: string | number | undefined): FieldValue;
  doc: string;
}

const dirname = (p: string) => (p.lastIndexOf('/') > 0 ? p.slice(0, p.lastIndexOf('/')) : p.startsWith('/') ? '/' : '');
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Falco's evt.type for each of our kinds (a syscall name; 'execve' for any successful exec). */
export function evtType(ev: LensEvent): string {
  switch (ev.kind) {
    case 'exec': return 'execve';
    case 'fork': return 'clone';
    case 'exit': return 'procexit';
    case 'ptrace': return ev.request === 'process_vm_writev' ? ev.request : 'ptrace';
    case 'open': case 'unlink': case 'rmdir': case 'rename': case 'mkdir': case 'chmod': case 'chown': case 'truncate': case 'link': case 'symlink': case 'chdir':
      return ev.syscall;
    case 'udp_send': return 'sendto';
    case 'tcp_close': return 'close';
    case 'syscall': return ev.name;
    default: return ev.kind;
  }
}

/** The evt.type values our own kinds produce (besides open/fsop syscall names): the syscall stream does not repeat them. */
export const KIND_TYPES = ['execve', 'clone', 'procexit', 'connect', 'accept', 'bind', 'listen', 'sendto', 'close', 'dns', 'ptrace', 'process_vm_writev'] as const;

const result = (ev: LensEvent): number | undefined => ('ret' in ev ? ev.ret : undefined);
const argvOf = (p: ProcFacts | undefined) => p?.argv;
const args = (p: ProcFacts | undefined) => (p?.argv ? p.argv.slice(1).join(' ') : undefined);
const cmdline = (p: ProcFacts | undefined) => (p ? [p.name, ...(p.argv?.slice(1) ?? [])].join(' ') : undefined);

/* Paths and endpoints of an event. */
function path(ev: LensEvent): string | undefined {
  if ('path' in ev && typeof ev.path === 'string') return ev.path;
  if (ev.kind === 'exec') return ev.filename;
  return undefined;
}

function typechar(f: EventFacts): string | undefined {
  const ev = f.ev;
  if (ev.kind === 'open') return 'f';
  if (!('family' in ev)) return undefined;
  return ev.family === 'AF_INET' ? '4' : ev.family === 'AF_INET6' ? '6' : ev.family === 'AF_UNIX' ? 'u' : undefined;
}
const FD_TYPES: Record<string, string> = { f: 'file', 4: 'ipv4', 6: 'ipv6', u: 'unix' };

/** [local addr, local port, remote addr, remote port] of a network event; the server's side is local for accept, bind, listen. */
function ends(f: EventFacts): { lip: string; lport: number; rip: string; rport: number; serverLocal: boolean } | undefined {
  const ev = f.ev;
  if (!('family' in ev) || ev.family === 'AF_UNIX') return undefined;
  const serverLocal = ev.kind === 'accept' || ev.kind === 'bind' || ev.kind === 'listen';
  return { lip: ev.saddr, lport: ev.sport, rip: ev.daddr, rport: ev.dport, serverLocal };
}

function fdName(f: EventFacts): string | undefined {
  const ev = f.ev;
  if ('family' in ev) {
    if ('path' in ev && ev.path !== undefined) return ev.path;
    const e = ends(f);
    if (!e) return undefined;
    const at = (a: string, p: number) => `${a.includes(':') ? `[${a}]` : a}:${p}`;
    if (ev.kind === 'bind' || ev.kind === 'listen') return at(e.lip, e.lport);
    return e.serverLocal ? `${at(e.rip, e.rport)}->${at(e.lip, e.lport)}` : `${at(e.lip, e.lport)}->${at(e.rip, e.rport)}`;
  }
  return path(ev);
}

function openFlags(ev: LensEvent): string | undefined {
  return ev.kind === 'open' ? ev.flags : undefined;
}
const accessOf = (flags: string) => (flags.includes('O_RDWR') ? 'rw' : flags.includes('O_WRONLY') ? 'w' : 'r');

function envOf(f: EventFacts): Readonly<Record<string, string>> | undefined {
  const ev = f.ev;
  return ev.kind === 'exec' ? ev.env : undefined;
}

/** Every field rules can use. */
export const FIELDS: Readonly<Record<string, FieldSpec>> = {
  'evt.type': { type: 'string', get: (f) => evtType(f.ev), doc: 'the syscall (execve, openat, connect, …; procexit, dns for ours)' },
  'evt.res': { type: 'string', get: (f) => { const r = result(f.ev); return r === undefined ? undefined : r >= 0 ? 'SUCCESS' : (f.ev as { errno?: string }).errno ?? String(r); }, doc: 'SUCCESS or the errno name' },
  'evt.rawres': { type: 'number', get: (f) => result(f.ev), doc: 'the return value' },
  'evt.failed': { type: 'bool', get: (f) => { const r = result(f.ev); return r === undefined ? undefined : r < 0; }, doc: 'the call failed' },
  'evt.dir': { type: 'string', get: () => '<', doc: "always '<' (events are taken at syscall exit)" },
  'evt.time': { type: 'string', get: (f) => new Date(f.ev.ts).toISOString(), doc: 'the time, ISO 8601' },
  'evt.rawtime': { type: 'number', get: (f) => Math.round(f.ev.ts * 1e6), doc: 'ns since the epoch' },
  'evt.is_open_read': { type: 'bool', get: (f) => { const fl = openFlags(f.ev); return fl === undefined ? undefined : accessOf(fl).includes('r'); }, doc: 'an open for reading' },
  'evt.is_open_write': { type: 'bool', get: (f) => { const fl = openFlags(f.ev); return fl === undefined ? undefined : accessOf(fl).includes('w'); }, doc: 'an open for writing' },
  'evt.arg.flags': { type: 'string', get: (f) => openFlags(f.ev), doc: "an open's flags (O_WRONLY|O_CREAT…)" },
  'evt.arg.mode': { type: 'string', get: (f) => { const ev = f.ev; return 'mode' in ev ? ev.mode : undefined; }, doc: 'chmod, mkdir, open: the mode in octal (04755)' },
  'evt.arg.request': { type: 'string', get: (f) => { const ev = f.ev; return ev.kind === 'ptrace' ? ev.request : undefined; }, doc: 'ptrace: the request (PTRACE_ATTACH, PTRACE_POKEDATA, PTRACE_TRACEME, …; process_vm_writev)' },
  'evt.arg.pid': { type: 'number', get: (f) => { const ev = f.ev; return ev.kind === 'ptrace' ? ev.target_pid : undefined; }, doc: 'ptrace, process_vm_writev: the target pid' },
  'proc.pid': { type: 'number', get: (f) => f.ev.pid, doc: 'process id' },
  'proc.ppid': { type: 'number', get: (f) => f.ev.ppid, doc: "parent's process id" },
  'thread.tid': { type: 'number', get: (f) => f.ev.tid, doc: 'thread id' },
  'proc.name': { type: 'string', get: (f) => f.ev.comm, doc: 'process name (comm)' },
  'proc.exe': { type: 'string', get: (f) => argvOf(f.proc())?.[0], doc: 'argv[0]' },
  'proc.exepath': { type: 'string', get: (f) => f.proc()?.exepath, doc: "the program's path" },
  'proc.args': { type: 'string', get: (f) => args(f.proc()), doc: 'arguments after argv[0], space-separated' },
  'proc.cmdline': { type: 'string', get: (f) => cmdline(f.proc()), doc: 'name and arguments' },
  'proc.cmdnargs': { type: 'number', get: (f) => { const a = argvOf(f.proc()); return a ? Math.max(0, a.length - 1) : undefined; }, doc: 'number of arguments' },
  'proc.cwd': { type: 'string', get: (f) => f.proc()?.cwd, doc: 'working directory' },
  'proc.pname': { type: 'string', get: (f) => f.proc(1)?.name, doc: "parent's name" },
  'proc.pcmdline': { type: 'string', get: (f) => cmdline(f.proc(1)), doc: "parent's command line" },
  'proc.pexepath': { type: 'string', get: (f) => f.proc(1)?.exepath, doc: "parent's program path" },
  'proc.aname': {
    type: 'strings', arg: 'index', doc: 'proc.aname[N]: name of the Nth ancestor (0: the process); without N: any ancestor',
    get: (f, n) => (typeof n === 'number' ? f.proc(n)?.name : f.ancestors().slice(1).map((p) => p.name)),
  },
  'proc.apid': {
    type: 'numbers', arg: 'index', doc: 'proc.apid[N]: pid of the Nth ancestor; without N: any ancestor',
    get: (f, n) => (typeof n === 'number' ? f.proc(n)?.pid : f.ancestors().slice(1).map((p) => p.pid)),
  },
  'proc.acmdline': {
    type: 'strings', arg: 'index', doc: 'proc.acmdline[N]: command line of the Nth ancestor; without N: any ancestor',
    get: (f, n) => (typeof n === 'number' ? cmdline(f.proc(n)) : f.ancestors().slice(1).map((p) => cmdline(p)!)),
  },
  'proc.env': {
    type: 'string', arg: 'name', doc: 'exec events: the environment as NAME=value words (values outside the safe list redacted); proc.env[NAME]: one value',
    get: (f, name) => {
      const env = envOf(f);
      if (!env) return undefined;
      if (typeof name === 'string') return env[name];
      return Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
    },
  },
  'proc.exe_written': {
    type: 'bool', doc: 'Runtime Lens: exec events: the program was written by a traced process earlier in the session',
    get: (f) => (f.ev.kind === 'exec' ? f.memory.written.has(f.ev.filename) : undefined),
  },
  'proc.pis_server': {
    type: 'bool', doc: 'Runtime Lens: the parent accepted a connection or listened earlier in the session',
    get: (f) => { const p = f.proc(1)?.entry; return p ? f.memory.servers.has(p) : false; },
  },
  'proc.env_changed': {
    type: 'strings', doc: "Runtime Lens: exec events: the environment's names whose value differs from the one the parent started with (its traced exec, or its nearest traced ancestor's); absent when that is unknown",
    get: (f) => {
      const env = envOf(f);
      if (!env) return undefined;
      // the environment the parent started with: its own exec's, or (forks keep it) the nearest traced exec's above it
      let before: Readonly<Record<string, string>> | undefined;
      for (const a of f.ancestors().slice(1)) if (a.entry && (before = f.memory.envs.get(a.entry))) break;
      if (!before) return undefined;
      return Object.keys(env).filter((k) => env[k] !== '' && env[k] !== before[k]);
    },
  },
  'user.uid': { type: 'number', get: (f) => f.ev.uid, doc: 'user id' },
  'user.name': { type: 'string', get: (f) => f.userName(f.ev.uid), doc: 'user name (from the passwd file)' },
  'fd.num': { type: 'number', get: (f) => { const ev = f.ev; return ev.kind === 'open' ? (ev.ret >= 0 ? ev.ret : undefined) : 'fd' in ev ? ev.fd : undefined; }, doc: 'the file descriptor' },
  'fd.name': { type: 'string', get: fdName, doc: 'file path, socket path, or client->server endpoints' },
  'fd.directory': { type: 'string', get: (f) => { const p = path(f.ev); return p === undefined ? undefined : dirname(p); }, doc: "the file's directory" },
  'fd.filename': { type: 'string', get: (f) => { const p = path(f.ev); return p === undefined ? undefined : basename(p); }, doc: "the file's name without its directory" },
  'fd.typechar': { type: 'string', get: typechar, doc: 'f file, 4 IPv4, 6 IPv6, u unix socket' },
  'fd.type': { type: 'string', get: (f) => { const c = typechar(f); return c === undefined ? undefined : FD_TYPES[c]; }, doc: 'file, ipv4, ipv6, unix' },
  'fd.l4proto': { type: 'string', get: (f) => { const ev = f.ev; return 'family' in ev ? ('proto' in ev && ev.proto ? ev.proto : ev.kind === 'tcp_close' ? 'tcp' : undefined) : undefined; }, doc: 'tcp or udp' },
  'fd.sip': { type: 'string', get: (f) => { const e = ends(f); return e && (e.serverLocal ? e.lip : e.rip); }, doc: "the server's IP" },
  'fd.sport': { type: 'number', get: (f) => { const e = ends(f); return e && (e.serverLocal ? e.lport : e.rport); }, doc: "the server's port" },
  'fd.cip': { type: 'string', get: (f) => { const e = ends(f); return e && (e.serverLocal ? (f.ev.kind === 'accept' ? e.rip : undefined) : e.lip); }, doc: "the client's IP" },
  'fd.cport': { type: 'number', get: (f) => { const e = ends(f); return e && (e.serverLocal ? (f.ev.kind === 'accept' ? e.rport : undefined) : e.lport); }, doc: "the client's port" },
  'fd.lip': { type: 'string', get: (f) => ends(f)?.lip, doc: 'local IP' },
  'fd.lport': { type: 'number', get: (f) => ends(f)?.lport, doc: 'local port' },
  'fd.rip': { type: 'string', get: (f) => { const e = ends(f); return e && !(f.ev.kind === 'bind' || f.ev.kind === 'listen') ? e.rip : undefined; }, doc: 'remote IP' },
  'fd.rport': { type: 'number', get: (f) => { const e = ends(f); return e && !(f.ev.kind === 'bind' || f.ev.kind === 'listen') ? e.rport : undefined; }, doc: 'remote port' },
  'fd.dip': { type: 'string', get: (f) => f.sock()?.daddr || undefined, doc: 'destination IP as the event has it (connect, UDP send: the peer)' },
  'fd.dport': { type: 'number', get: (f) => f.sock()?.dport, doc: 'destination port as the event has it' },
  'fd.sip.name': { type: 'string', get: (f) => { const ev = f.ev; return 'dns' in ev && !(ends(f)?.serverLocal) ? ev.dns : undefined; }, doc: "the DNS name the server's IP was looked up from" },
  'fd.in_project': {
    type: 'bool', doc: "Runtime Lens: the path is under the working directory of the process or of a traced ancestor (the project it runs in)",
    get: (f) => { const p = path(f.ev); return p === undefined ? undefined : f.ancestors().some((a) => !!a.cwd && a.cwd !== '/' && (p === a.cwd || p.startsWith(a.cwd.endsWith('/') ? a.cwd : a.cwd + '/'))); },
  },
  'fs.path.name': { type: 'string', get: (f) => path(f.ev), doc: 'the path of a file event' },
  'fs.path.source': { type: 'string', get: (f) => { const ev = f.ev; return 'path2' in ev && ev.path2 !== undefined ? ev.path : undefined; }, doc: 'rename/link/symlink: the old path' },
  'fs.path.target': { type: 'string', get: (f) => { const ev = f.ev; return 'path2' in ev ? ev.path2 : undefined; }, doc: 'rename/link/symlink: the new path' },
  'src.file': { type: 'string', get: (f) => f.ev.source?.file, doc: "the event's source file (with stacks)" },
  'src.line': { type: 'number', get: (f) => f.ev.source?.line, doc: "the event's source line" },
  'src.function': { type: 'string', get: (f) => f.ev.source?.function, doc: "the event's source function" },
  'src.pkg': { type: 'string', get: (f) => eventPackages(f.ev)[0]?.name, doc: 'the innermost package on the stack (node_modules/…, site-packages/…, a library)' },
  'src.pkgs': { type: 'strings', get: (f) => eventPackages(f.ev).map((p) => p.name), doc: 'every package on the stack' },
};

/** Fields whose value needs the event's stack (the rules stage waits for it). */
export const STACK_FIELDS: ReadonlySet<string> = new Set(['src.file', 'src.line', 'src.function', 'src.pkg', 'src.pkgs']);

/**
 * Fields Falco has that Runtime Lens does not fill (containers, Kubernetes, sessions, terminals,
 * inodes, raw arguments): a rule that uses one is skipped with a warning, not evaluated wrongly.
 */
export const FALCO_ONLY_FIELDS: readonly string[] = [
  'proc.sid', 'proc.vpid', 'proc.vpgid', 'proc.pgid', 'proc.tty', 'proc.sname', 'proc.exeline', 'proc.loginshellid', 'proc.is_exe_writable',
  'proc.is_exe_upper_layer', 'proc.is_exe_from_memfd', 'proc.is_sid_leader', 'proc.is_vpgid_leader', 'proc.exe_ino', 'proc.exe_ino.ctime',
  'proc.exe_ino.mtime', 'proc.pexe', 'proc.aexe', 'proc.aexepath', 'proc.pvpid', 'proc.stdin.name', 'proc.stdout.name', 'proc.stdin.type',
  'proc.stdout.type', 'proc.fdopencount', 'proc.vmsize', 'proc.vmrss', 'proc.duration', 'proc.ppid.duration', 'proc.pid.ts', 'proc.is_container_healthcheck',
  'proc.is_container_liveness_probe', 'proc.is_container_readiness_probe', 'proc.cmdlenargs', 'proc.nthreads', 'proc.nchilds', 'proc.exepath.name',
  'thread.cap_permitted', 'thread.cap_effective', 'thread.cap_inheritable', 'thread.vtid', 'thread.ismain',
  'user.loginuid', 'user.loginname', 'user.homedir', 'user.shell', 'group.gid', 'group.name',
  'evt.num', 'evt.arg', 'evt.rawarg', 'evt.args', 'evt.info', 'evt.buffer', 'evt.buflen', 'evt.category', 'evt.latency', 'evt.source', 'evt.is_io',
  'evt.is_io_read', 'evt.is_io_write', 'evt.is_open_exec', 'evt.is_syslog', 'evt.is_wait', 'evt.count', 'evt.around', 'evt.plugininfo', 'evt.hostname',
  'fd.nameraw', 'evt.arg.name', 'evt.arg.path', 'evt.arg.data', 'fd.cip.name', 'fd.rip.name', 'fd.lip.name', 'fd.cnet', 'fd.snet', 'fd.lnet', 'fd.rnet', 'fd.net', 'fd.cproto', 'fd.sproto', 'fd.lproto',
  'fd.rproto', 'fd.connected', 'fd.name_changed', 'fd.ino', 'fd.dev', 'fd.uid', 'fd.containername', 'fd.containerdirectory', 'fd.is_server', 'fd.sockfamily',
  'fs.path.nameraw', 'fs.path.sourceraw', 'fs.path.targetraw',
];

/** Field classes (the part before the first dot) that belong to Falco sources Runtime Lens does not have. */
export const FALCO_ONLY_CLASSES: readonly string[] = ['container', 'k8s', 'k8smeta', 'mesos', 'span', 'ka', 'jevt', 'gvisor', 'syslog', 'aws', 'cloudtrail', 'okta', 'github'];

/** The names of every field, for suggestions. */
export const FIELD_NAMES: readonly string[] = Object.keys(FIELDS);
