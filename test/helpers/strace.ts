// Parses `strace -f -qq -y -e trace=execve,openat,connect` output into records
// comparable with our events (paths made absolute the same way the kernel would).
import path from 'node:path';

/** One finished syscall strace reported. */
export interface StraceCall {
  tid: number;
  syscall: 'execve' | 'openat' | 'connect';
  /** execve: filename; openat: absolute path; connect: "AF_INET 127.0.0.1:80", "AF_UNIX /path", "AF_UNSPEC" */
  key: string;
  /** execve only */
  argv?: string[];
  ret: number;
  /** errno name of a failed call */
  errno?: string;
  line: string;
}

/** Reads a C-escaped string literal starting at `s[i]` (a quote); returns the value and the index after it. */
function cString(s: string, i: number): [string, number] {
  let end = i + 1;
  while (end < s.length && s[end] !== '"') end += s[end] === '\\' ? 2 : 1;
  return [cStringBytes(s.slice(i, end + 1)).toString('utf8'), end + 1];
}

/** Strings in `text` in order (e.g. the elements of an argv array). */
function cStrings(text: string): string[] {
  const out: string[] = [];
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i)) {
    const [value, next] = cString(text, i);
    out.push(value);
    i = next;
  }
  return out;
}

/** "AT_FDCWD</dir>" or "3</dir>" -> "/dir" (strace -y). */
function fdPath(arg: string): string | undefined {
  return /<(.*)>$/.exec(arg.trim())?.[1];
}

function parseCall(tid: number, name: string, args: string, result: string, line: string): StraceCall | null {
  const r = /^(-?\d+)(?:<[^>]*>)?(?: ([A-Z0-9_]+))?/.exec(result.trim());
  if (!r) return null;
  const ret = Number(r[1]);
  const base = { tid, ret, errno: ret < 0 ? r[2] : undefined, line };
  if (name === 'execve') {
    const [filename, afterName] = cString(args, args.indexOf('"'));
    const open = args.indexOf('[', afterName);
    const close = args.indexOf('], ', open);
    return { ...base, syscall: 'execve', key: filename, argv: cStrings(args.slice(open, close + 1)) };
  }
  if (name === 'openat') {
    const comma = args.indexOf(', "');
    const dir = fdPath(args.slice(0, comma));
    const [p] = cString(args, comma + 2);
    if (!p.startsWith('/') && dir === undefined) return null;
    return { ...base, syscall: 'openat', key: p.startsWith('/') ? path.posix.normalize(p) : path.posix.join(dir!, p) };
  }
  if (name === 'connect') {
    const family = /sa_family=(AF_[A-Z0-9]+)/.exec(args)?.[1] ?? 'unknown';
    let key = family;
    if (family === 'AF_INET') {
      key += ` ${/inet_addr\("([^"]+)"\)/.exec(args)?.[1]}:${/sin_port=htons\((\d+)\)/.exec(args)?.[1]}`;
    } else if (family === 'AF_INET6') {
      key += ` ${/inet_pton\(AF_INET6, "([^"]+)"/.exec(args)?.[1]}:${/sin6_port=htons\((\d+)\)/.exec(args)?.[1]}`;
    } else if (family === 'AF_UNIX') {
      const at = args.indexOf('sun_path=');
      key += at >= 0 ? ` ${(args[at + 9] === '@' ? '@' : '') + cString(args, args.indexOf('"', at))[0]}` : '';
    }
    return { ...base, syscall: 'connect', key };
  }
  return null;
}

/** Every completed execve/openat/connect in an `strace -f -qq -y -o FILE` log, joining unfinished/resumed halves. */
export function parseStrace(log: string): StraceCall[] {
  const calls: StraceCall[] = [];
  const pending = new Map<number, { name: string; args: string }>();
  for (const line of log.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const tid = Number(m[1]);
    const rest = m[2];
    let name: string;
    let args: string;
    let result: string;
    const resumed = /^<\.\.\. (\w+) resumed>(.*)\) += (.*)$/.exec(rest);
    if (resumed) {
      const start = pending.get(tid);
      pending.delete(tid);
      if (!start) continue;
      [name, args, result] = [resumed[1], start.args + resumed[2], resumed[3]];
    } else {
      const unfinished = /^(\w+)\((.*) <unfinished \.\.\.>$/.exec(rest);
      if (unfinished) {
        pending.set(tid, { name: unfinished[1], args: unfinished[2] });
        continue;
      }
      const full = /^(\w+)\((.*)\) += (.*)$/.exec(rest);
      if (!full) continue;
      [name, args, result] = [full[1], full[2], full[3]];
    }
    const call = parseCall(tid, name, args, result, line);
    if (call) calls.push(call);
  }
  return calls;
}

/** One finished syscall of an strace log, its arguments as strace wrote them. */
export interface StraceLine {
  tid: number;
  name: string;
  /** top-level arguments, e.g. ['AT_FDCWD', '"a.txt"', 'O_RDONLY'] */
  args: string[];
  /** what follows ' = ': '3', '-1 ENOENT (No such file or directory)', '0x7f…', '?' */
  result: string;
}

/** Splits strace's argument text at its top-level commas (not inside quotes, [], {} or ()). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.trim()) out.push(text.slice(start).trim());
  return out;
}

/** Every syscall line of an `strace -f -qq -o FILE` log that was not split (no other thread in between). */
export function parseStraceLines(log: string): StraceLine[] {
  const out: StraceLine[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\d+)\s+(\w+)\((.*)\)\s+= (.*)$/.exec(line);
    if (m) out.push({ tid: Number(m[1]), name: m[2], args: splitArgs(m[3]), result: m[4] });
  }
  return out;
}

/** The bytes of a C string literal as strace writes it ("caf\303\251 \xff\\"). */
export function cStringBytes(literal: string): Buffer {
  const bytes: number[] = [];
  const s = literal.trim();
  if (!s.startsWith('"') || !s.endsWith('"')) throw new Error(`not a C string literal: ${literal}`);
  for (let i = 1; i < s.length - 1; i++) {
    if (s[i] !== '\\') {
      bytes.push(...Buffer.from(s[i], 'utf8'));
      continue;
    }
    const c = s[++i];
    if (c === 'x') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(c)) {
      const o = /^[0-7]{1,3}/.exec(s.slice(i))![0];
      bytes.push(parseInt(o, 8));
      i += o.length - 1;
    } else {
      bytes.push(({ n: 10, t: 9, r: 13, v: 11, f: 12 } as Record<string, number>)[c] ?? c.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}
