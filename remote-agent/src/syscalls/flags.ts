/*
 * Symbolic names for flag and enum arguments (open flags, modes, AT_*,
 * mmap prot/flags, socket families and types, clone flags), as strace prints them.
 */
import type { Arch } from './names';

type FlagTable = ReadonlyArray<readonly [number, string]>;

/** `A|B|0x40` for the bits of `value` named in `table`, unknown bits in hex; `zero` when value is 0. */
export function formatFlags(value: number, table: FlagTable, zero = '0'): string {
  if (value === 0) return zero;
  const parts: string[] = [];
  let rest = value >>> 0;
  for (const [bit, name] of table) {
    if (bit !== 0 && (rest & bit) === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) parts.push('0x' + rest.toString(16));
  return parts.join('|');
}

const OPEN_COMMON: FlagTable = [
  [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'], [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'], [0o10000, 'O_DSYNC'], [0o20000, 'O_ASYNC'], [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH'],
];
/* x86_64 and arm64 differ in four bits; O_TMPFILE includes O_DIRECTORY. */
const OPEN_ARCH: Record<Arch, FlagTable> = {
  x86_64: [[0o20200000, 'O_TMPFILE'], [0o40000, 'O_DIRECT'], [0o100000, 'O_LARGEFILE'], [0o200000, 'O_DIRECTORY'], [0o400000, 'O_NOFOLLOW']],
  arm64: [[0o20040000, 'O_TMPFILE'], [0o200000, 'O_DIRECT'], [0o400000, 'O_LARGEFILE'], [0o40000, 'O_DIRECTORY'], [0o100000, 'O_NOFOLLOW']],
};
const OPEN_TABLES: Record<Arch, FlagTable> = {
  x86_64: [...OPEN_ARCH.x86_64, ...OPEN_COMMON],
  arm64: [...OPEN_ARCH.arm64, ...OPEN_COMMON],
};

/** open(2) flags: access mode first, then the other bits (`O_WRONLY|O_CREAT|O_TRUNC`). */
export function openFlags(flags: number, arch: Arch): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][flags & 3];
  let rest = (flags & ~3) >>> 0;
  // O_SYNC contains O_DSYNC's bit: take it out first so it is not shown as O_DSYNC.
  const table = OPEN_TABLES[arch];
  const sync = (rest & 0o4010000) === 0o4010000;
  if (sync) rest = (rest & ~0o4010000) >>> 0;
  const others = rest ? formatFlags(rest, table) : '';
  return [acc, others, sync ? 'O_SYNC' : ''].filter(Boolean).join('|');
}

/** A file mode as octal (`0644`), with the file type when set (`S_IFREG|0644`). */
export function fileMode(mode: number): string {
  const types: Record<number, string> = { 0o140000: 'S_IFSOCK', 0o120000: 'S_IFLNK', 0o100000: 'S_IFREG', 0o60000: 'S_IFBLK', 0o40000: 'S_IFDIR', 0o20000: 'S_IFCHR', 0o10000: 'S_IFIFO' };
  const type = types[mode & 0o170000];
  const perm = '0' + (mode & 0o7777).toString(8).padStart(3, '0');
  return type ? `${type}|${perm}` : perm;
}

/** AT_FDCWD as a signed dirfd argument. */
export const AT_FDCWD = -100;

export const AT_FLAGS: FlagTable = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'], [0x800, 'AT_NO_AUTOMOUNT'],
  [0x1000, 'AT_EMPTY_PATH'], [0x8000, 'AT_RECURSIVE'],
];

export const ACCESS_MODES: FlagTable = [[4, 'R_OK'], [2, 'W_OK'], [1, 'X_OK']];

export const MMAP_PROT: FlagTable = [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC'], [0x1000000, 'PROT_GROWSDOWN'], [0x2000000, 'PROT_GROWSUP']];

export const MMAP_FLAGS: FlagTable = [
  [0x01, 'MAP_SHARED'], [0x02, 'MAP_PRIVATE'], [0x03, 'MAP_SHARED_VALIDATE'], [0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'],
  [0x100, 'MAP_GROWSDOWN'], [0x800, 'MAP_DENYWRITE'], [0x1000, 'MAP_EXECUTABLE'], [0x2000, 'MAP_LOCKED'],
  [0x4000, 'MAP_NORESERVE'], [0x8000, 'MAP_POPULATE'], [0x10000, 'MAP_NONBLOCK'], [0x20000, 'MAP_STACK'],
  [0x40000, 'MAP_HUGETLB'], [0x80000, 'MAP_SYNC'], [0x100000, 'MAP_FIXED_NOREPLACE'],
];

/** mmap flags: the sharing type (low two bits) first, then the rest. */
export function mmapFlags(flags: number): string {
  const type = (['', 'MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE'] as const)[flags & 3];
  const rest = (flags & ~3) >>> 0;
  return [type, rest ? formatFlags(rest, MMAP_FLAGS.slice(3)) : ''].filter(Boolean).join('|') || '0';
}

const FAMILIES: Record<number, string> = {
  0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET', 38: 'AF_ALG', 40: 'AF_VSOCK', 44: 'AF_XDP',
};
/** Socket address family name (`AF_INET`), or `AF_<n>`. */
export function familyName(family: number): string {
  return FAMILIES[family] ?? `AF_${family}`;
}

const SOCK_TYPES: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET', 6: 'SOCK_DCCP', 10: 'SOCK_PACKET' };
/** socket(2) type with SOCK_NONBLOCK / SOCK_CLOEXEC (same values on x86_64 and arm64). */
export function socketType(type: number): string {
  const base = SOCK_TYPES[type & 0xf] ?? String(type & 0xf);
  const extra = formatFlags(type & ~0xf, [[0o4000, 'SOCK_NONBLOCK'], [0o2000000, 'SOCK_CLOEXEC']], '');
  return extra ? `${base}|${extra}` : base;
}

const PROTOCOLS: Record<number, string> = { 0: '0', 1: 'IPPROTO_ICMP', 6: 'IPPROTO_TCP', 17: 'IPPROTO_UDP', 58: 'IPPROTO_ICMPV6', 132: 'IPPROTO_SCTP' };
/** IP protocol number name. */
export function protocolName(proto: number): string {
  return PROTOCOLS[proto] ?? String(proto);
}

export const CLONE_FLAGS: FlagTable = [
  [0x100, 'CLONE_VM'], [0x200, 'CLONE_FS'], [0x400, 'CLONE_FILES'], [0x800, 'CLONE_SIGHAND'], [0x1000, 'CLONE_PIDFD'],
  [0x2000, 'CLONE_PTRACE'], [0x4000, 'CLONE_VFORK'], [0x8000, 'CLONE_PARENT'], [0x10000, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'], [0x40000, 'CLONE_SYSVSEM'], [0x80000, 'CLONE_SETTLS'], [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'], [0x800000, 'CLONE_UNTRACED'], [0x1000000, 'CLONE_CHILD_SETTID'],
  [0x2000000, 'CLONE_NEWCGROUP'], [0x4000000, 'CLONE_NEWUTS'], [0x8000000, 'CLONE_NEWIPC'], [0x10000000, 'CLONE_NEWUSER'],
  [0x20000000, 'CLONE_NEWPID'], [0x40000000, 'CLONE_NEWNET'], [0x80000000, 'CLONE_IO'],
];

/** fcntl commands (generic numbering, same on x86_64 and arm64). */
export const FCNTL_CMDS: Record<number, string> = {
  0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL', 5: 'F_GETLK', 6: 'F_SETLK', 7: 'F_SETLKW',
  1030: 'F_DUPFD_CLOEXEC', 1033: 'F_ADD_SEALS', 1034: 'F_GET_SEALS',
};

export const LSEEK_WHENCE: Record<number, string> = { 0: 'SEEK_SET', 1: 'SEEK_CUR', 2: 'SEEK_END', 3: 'SEEK_DATA', 4: 'SEEK_HOLE' };
