/*
 * The event model: every event kind once, with its kernel value (enum
 * lens_kind in bpf/linux/events.h, checked by test/unit/agent/event-model.test.ts),
 * its group, its label, its own fields and its one-line text; and every
 * group once. The protocol's kind and group types, the decoder's kind
 * values, the CLI help, the `runtimeLens.events` setting, the human output,
 * the export and the webview's texts and toggles all come from here.
 */
import type {
  DecodedValue, DnsEvent, ExecEvent, ExitEvent, FindingEvent, ForkEvent, FsOpEvent, LensEvent, OpenEvent, PtraceEvent, SockEvent, SyscallEvent, TcpCloseEvent,
} from '../protocol';
import { quoted, quoteName } from './quote';

/**
 * Event groups: what `--events` and the `runtimeLens.events` setting select (traced), what the
 * views toggle and colour (title). A group without `description` is described by its kinds' labels.
 */
export const GROUPS = {
  exec: { title: 'Process', traced: true, byDefault: true },
  file: { title: 'File', traced: true, byDefault: true },
  net: { title: 'Network', traced: true, byDefault: true },
  dns: { title: 'DNS', traced: true, byDefault: true },
  syscall: { title: 'Syscall', traced: true, byDefault: false, description: 'every syscall (high volume)' },
  syscount: { title: 'Syscall counts', traced: true, byDefault: false, description: 'per-syscall counts and latency, aggregated in the kernel' },
  finding: { title: 'Findings', traced: false, byDefault: false, description: 'findings of the rules' },
} as const satisfies Record<string, { title: string; traced: boolean; byDefault: boolean; description?: string }>;

/* One-line texts (no process, no result): shared by the CLI, the export and the views. */

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

const named = (dns?: string) => (dns ? ` (${dns})` : '');

function execText(e: ExecEvent): string {
  const args = e.argv.slice(1).map(quoteName).join(' ');
  return `${quoteName(e.filename)}${args ? ' ' + args : ''}${e.truncated ? '...' : ''}${e.untraced ? ` (${e.untraced}: no longer traced, you cannot ptrace it)` : ''}`;
}

function fsopText(e: FsOpEvent): string {
  const extra = [e.path2 !== undefined ? `-> ${quoteName(e.path2)}` : '', e.mode ?? '', e.owner ? `${e.owner.uid}:${e.owner.gid}` : '',
    e.length !== undefined ? String(e.length) : ''].filter(Boolean).join(' ');
  return `${quoteName(e.path)}${extra ? ' ' + extra : ''}`;
}

function sockText(e: SockEvent): string {
  const socket = `fd=${e.fd} ${e.family}${e.proto ? '/' + e.proto : ''}`;
  if (e.path !== undefined) return `${socket} ${quoteName(e.path)}`;
  switch (e.kind) {
    case 'bind': return `${socket} ${endpoint(e.saddr, e.sport)}`;
    case 'listen': return `${socket} ${endpoint(e.saddr, e.sport)} backlog=${e.backlog ?? '?'}`;
    default: {
      const local = e.saddr && e.sport ? ` ${endpoint(e.saddr, e.sport)}` : '';
      return `${socket}${local} ${e.kind === 'accept' ? '<-' : '->'} ${endpoint(e.daddr, e.dport)}${named(e.dns)}`;
    }
  }
}

/**
 * What a one-line text needs beyond the event: which decoded syscall arguments are strings the
 * process passed, written in quotes as strace writes them (the agent's syscall decoder knows).
 */
export interface TextContext { isStringArg(key: string): boolean }
const NO_CONTEXT: TextContext = { isStringArg: () => false };

function syscallText(e: SyscallEvent, ctx: TextContext): string {
  const d = e.decoded;
  const arg = (k: string, v: DecodedValue) => {
    if (Array.isArray(v)) return `[${v.map(quoted).join(', ')}]`;
    return typeof v === 'string' && ctx.isStringArg(k) && !v.startsWith('0x') ? quoted(v) : String(v);
  };
  const args = d
    ? Object.entries(d).filter(([k]) => !k.endsWith('_path')).map(([k, v]) => (d[`${k}_path`] !== undefined ? `${v}<${d[`${k}_path`]}>` : arg(k, v)))
    : e.args;
  return `${e.name}(${args.join(', ')})`;
}

const FSOP_FIELDS = ['syscall', 'path', 'ret', 'errno'] as const;
const SOCK_FIELDS = ['family', 'saddr', 'sport', 'daddr', 'dport', 'path', 'proto', 'dns', 'fd', 'ret', 'errno'] as const;

/**
 * Every event kind, in display order. value: enum lens_kind (null: made by the agent, not the
 * kernel); record: the struct of events.h it is decoded from; fields: its own fields (beyond
 * EventBase), in the order views list them; text: what it did, in one line.
 */
export const KINDS = {
  exec: { value: 1, group: 'exec', label: 'exec', record: 'exec', fields: ['filename', 'argv', 'cwd', 'ret', 'errno', 'untraced'], text: execText },
  fork: { value: 2, group: 'exec', label: 'fork', record: 'fork', fields: ['child_pid', 'thread'],
    text: (e: ForkEvent) => `${e.thread ? 'thread' : 'child'} ${e.child_pid}` },
  exit: { value: 3, group: 'exec', label: 'exit', record: 'exit', fields: ['exit_code', 'signal', 'core_dumped'],
    text: (e: ExitEvent) => (e.signal ? `killed by ${e.signal}${e.core_dumped ? ' (core dumped)' : ''}` : `code ${e.exit_code}`) },
  ptrace: { value: 24, group: 'exec', label: 'ptrace', record: 'ptrace', fields: ['request', 'target_pid', 'target_key', 'target_comm', 'addr', 'ret', 'errno'],
    text: (e: PtraceEvent) => `${e.request}${e.request === 'PTRACE_TRACEME' ? '' : ` ${e.target_pid}${e.target_comm ? ` (${e.target_comm})` : ''}`}${e.addr ? ' at ' + e.addr : ''}` },
  open: { value: 4, group: 'file', label: 'open', record: 'open', fields: ['syscall', 'path', 'flags', 'mode', 'ret', 'errno'],
    text: (e: OpenEvent) => `${quoteName(e.path)} ${e.flags}${e.mode ? ' ' + e.mode : ''}` },
  unlink: { value: 5, group: 'file', label: 'unlink', record: 'fsop', fields: FSOP_FIELDS, text: fsopText },
  rmdir: { value: 6, group: 'file', label: 'rmdir', record: 'fsop', fields: FSOP_FIELDS, text: fsopText },
  rename: { value: 7, group: 'file', label: 'rename', record: 'fsop', fields: [...FSOP_FIELDS, 'path2'], text: fsopText },
  mkdir: { value: 8, group: 'file', label: 'mkdir', record: 'fsop', fields: [...FSOP_FIELDS, 'mode'], text: fsopText },
  chmod: { value: 9, group: 'file', label: 'chmod', record: 'fsop', fields: [...FSOP_FIELDS, 'mode'], text: fsopText },
  chown: { value: 10, group: 'file', label: 'chown', record: 'fsop', fields: [...FSOP_FIELDS, 'owner'], text: fsopText },
  truncate: { value: 11, group: 'file', label: 'truncate', record: 'fsop', fields: [...FSOP_FIELDS, 'length'], text: fsopText },
  link: { value: 12, group: 'file', label: 'link', record: 'fsop', fields: [...FSOP_FIELDS, 'path2'], text: fsopText },
  symlink: { value: 13, group: 'file', label: 'symlink', record: 'fsop', fields: [...FSOP_FIELDS, 'path2'], text: fsopText },
  chdir: { value: 14, group: 'file', label: 'chdir', record: 'fsop', fields: FSOP_FIELDS, text: fsopText },
  connect: { value: 15, group: 'net', label: 'connect', record: 'sock', fields: SOCK_FIELDS, text: sockText },
  accept: { value: 16, group: 'net', label: 'accept', record: 'sock', fields: SOCK_FIELDS, text: sockText },
  bind: { value: 17, group: 'net', label: 'bind', record: 'sock', fields: SOCK_FIELDS, text: sockText },
  listen: { value: 18, group: 'net', label: 'listen', record: 'sock', fields: [...SOCK_FIELDS, 'backlog'], text: sockText },
  tcp_close: { value: 19, group: 'net', label: 'TCP close', record: 'tcp',
    fields: ['family', 'saddr', 'sport', 'daddr', 'dport', 'dns', 'bytes_sent', 'bytes_received', 'duration_ms'],
    text: (e: TcpCloseEvent) => `${endpoint(e.saddr, e.sport)} -> ${endpoint(e.daddr, e.dport)}${named(e.dns)} sent=${e.bytes_sent} received=${e.bytes_received}` },
  udp_send: { value: 20, group: 'net', label: 'UDP send', record: 'sock', fields: SOCK_FIELDS, text: sockText },
  dns: { value: 21, group: 'dns', label: 'DNS lookup', record: 'dns', fields: ['name', 'answers', 'ret', 'error'],
    text: (e: DnsEvent) => `${e.name} -> ${e.answers.join(', ') || '(none)'}${e.error ? ' ' + e.error : ''}` },
  syscall: { value: 22, group: 'syscall', label: 'syscall', record: 'syscall', fields: ['name', 'nr', 'args', 'decoded', 'ret', 'errno', 'dur_ns'], text: syscallText },
  finding: { value: null, group: 'finding', label: 'finding', record: null, fields: ['rule', 'priority', 'output', 'tags', 'event'],
    text: (e: FindingEvent) => `[${e.priority}] ${e.rule}: ${e.output}` },
} as const;

/**
 * Kernel records that are not events: the agent's stages consume them (value: enum lens_kind;
 * record: the struct of events.h). Like every kind, their drops are counted and reported.
 */
export const RECORD_KINDS = {
  /** code mapped by exec, mmap or mprotect (--stacks): the symbolize stage's per-process mappings */
  mmap: { value: 23, label: 'code mapping', record: 'mmap' },
} as const;

/* ---------- derived ---------- */

export type EventKind = keyof typeof KINDS;
/** Every group, including those only the views know (finding). */
export type Group = keyof typeof GROUPS;
/** A group `--events` can select. */
export type EventGroup = { [G in Group]: (typeof GROUPS)[G]['traced'] extends true ? G : never }[Group];
/** A group that has event kinds (what the views toggle and colour). */
export type KindGroup = (typeof KINDS)[EventKind]['group'];
/** The kinds decoded from one record struct of events.h ('fsop', 'sock', ...). */
export type KindsOfRecord<R extends string> = { [K in EventKind]: (typeof KINDS)[K]['record'] extends R ? K : never }[EventKind];
/** The kinds the kernel emits. */
export type KernelKind = { [K in EventKind]: (typeof KINDS)[K]['value'] extends number ? K : never }[EventKind];
/** The event of one kind. */
export type EventOf<K extends EventKind> = Extract<LensEvent, { kind: K }>;

/** Every kind, in display order. */
export const ALL_KINDS = Object.keys(KINDS) as EventKind[];
const GROUP_NAMES = Object.keys(GROUPS) as Group[];
/** Groups `--events` selects, in order. */
export const EVENT_GROUPS: readonly EventGroup[] = GROUP_NAMES.filter((g): g is EventGroup => GROUPS[g].traced);
/** Groups traced when none are named: everything except the full syscall stream and in-kernel syscall counts. */
export const DEFAULT_EVENT_GROUPS: readonly EventGroup[] = EVENT_GROUPS.filter((g) => GROUPS[g].byDefault);
/** Groups that have kinds, in order. */
export const KIND_GROUP_NAMES: readonly KindGroup[] = GROUP_NAMES.filter((g): g is KindGroup => ALL_KINDS.some((k) => KINDS[k].group === g));

/** The kinds of a group, in order (none for syscount). */
export function kindsOfGroup(group: Group): EventKind[] {
  return ALL_KINDS.filter((k) => KINDS[k].group === group);
}

/** One line saying what a group traces (CLI help, settings). */
export function groupDescription(group: Group): string {
  const g = GROUPS[group];
  return 'description' in g ? g.description : kindsOfGroup(group).map((k) => KINDS[k].label).join(', ');
}

/** Kernel kind value (enum lens_kind) -> kind name; undefined for values no kind has. */
export const KIND_OF_VALUE: readonly (KernelKind | undefined)[] = (() => {
  const byValue: (KernelKind | undefined)[] = [];
  for (const k of ALL_KINDS) {
    const v = KINDS[k].value;
    if (v !== null) byValue[v] = k as KernelKind;
  }
  return byValue;
})();

/** A kernel record kind that is not an event. */
export type RecordKind = keyof typeof RECORD_KINDS;
/** What delivered and lost records are counted by: event kinds and the kernel records that are not events. */
export type CountedKind = EventKind | RecordKind;
/** Kernel kind value -> the name its counts go by, for events and the other records alike. */
export const COUNTED_KIND_OF_VALUE: readonly (CountedKind | undefined)[] = (() => {
  const byValue: (CountedKind | undefined)[] = [...KIND_OF_VALUE];
  for (const k of Object.keys(RECORD_KINDS) as RecordKind[]) byValue[RECORD_KINDS[k].value] = k;
  return byValue;
})();

/** One line saying what the event did, without its process or result. */
export function eventText(e: LensEvent, ctx: TextContext = NO_CONTEXT): string {
  const spec = KINDS[e.kind] as { text: (e: LensEvent, ctx: TextContext) => string } | undefined;
  return spec ? spec.text(e, ctx) : '';
}

/** Whether an event of this kind has a result (ret, errno). */
export function hasResult(kind: EventKind): boolean {
  return (KINDS[kind].fields as readonly string[]).includes('errno');
}

/* Compile-time checks: each kind's text takes that kind's event, and its fields are fields of it. */
type TextTakesItsEvent = { [K in EventKind]: EventOf<K> extends Parameters<(typeof KINDS)[K]['text']>[0] ? never : K }[EventKind];
type FieldsAreFields = { [K in EventKind]: Exclude<(typeof KINDS)[K]['fields'][number], keyof EventOf<K>> }[EventKind];
export const MODEL_TYPES_AGREE: [TextTakesItsEvent, FieldsAreFields] extends [never, never] ? true : [TextTakesItsEvent, FieldsAreFields] = true;
