/*
 * The default, human-readable output of `runtime-lens trace`: one compact
 * strace-like line per event:
 *   12:00:01.234567 cat[4242] open /etc/hosts O_RDONLY = 3
 */
import type { DecodedValue, LensEvent } from '../protocol';
import { isStringArg } from '../syscalls/args';

function clock(ts: number): string {
  const d = new Date(ts);
  const us = Math.floor((ts % 1000) * 1000) % 1000000;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(us).padStart(6, '0')}`;
}

function result(ret: number | string, errno?: string): string {
  return errno ? `= ${ret} ${errno}` : `= ${ret}`;
}

/**
 * A name as is when it is plain, else in double quotes with `"`, control characters and DEL
 * written as \xNN too: names arrive already escaped (decode/strings.ts), so unescapeName() of
 * what is between the quotes gives the exact bytes.
 */
function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : quoted(s);
}

function quoted(s: string): string {
  // eslint-disable-next-line no-control-regex
  return '"' + s.replace(/["\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) + '"';
}

/** A decoded syscall argument as strace writes it: strings the process passed in quotes, argv as ["a", "b"]. */
function syscallArg(key: string, v: DecodedValue): string {
  if (Array.isArray(v)) return `[${v.map(quoted).join(', ')}]`;
  return typeof v === 'string' && isStringArg(key) && !v.startsWith('0x') ? quoted(v) : String(v);
}

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** The one-line text of an event (no newline). */
export function humanLine(ev: LensEvent): string {
  const who = `${clock(ev.ts)} ${ev.comm}[${ev.pid}${ev.tid !== ev.pid ? '/' + ev.tid : ''}]`;
  switch (ev.kind) {
    case 'exec':
      return `${who} exec ${quote(ev.filename)} [${ev.argv.map(quote).join(' ')}]${ev.truncated ? '...' : ''} cwd=${quote(ev.cwd)} ${result(ev.ret, ev.errno)}${ev.untraced ? ` (${ev.untraced}: no longer traced, you cannot ptrace it)` : ''}`;
    case 'fork':
      return `${who} ${ev.thread ? 'thread' : 'fork'} -> ${ev.child_pid}`;
    case 'exit':
      return `${who} exit ${ev.signal ? `killed by ${ev.signal}${ev.core_dumped ? ' (core dumped)' : ''}` : ev.exit_code}`;
    case 'open':
      return `${who} ${ev.syscall} ${quote(ev.path)} ${ev.flags}${ev.mode ? ' ' + ev.mode : ''} ${result(ev.ret, ev.errno)}`;
    case 'connect': case 'accept': case 'bind': case 'listen': case 'udp_send': {
      const remote = ev.path !== undefined ? quote(ev.path) : ev.kind === 'bind' || ev.kind === 'listen' ? endpoint(ev.saddr, ev.sport) : endpoint(ev.daddr, ev.dport);
      const extra = ev.backlog !== undefined ? ` backlog=${ev.backlog}` : '';
      return `${who} ${ev.kind} fd=${ev.fd} ${ev.family}${ev.proto ? '/' + ev.proto : ''} ${remote}${ev.dns ? ` (${ev.dns})` : ''}${extra} ${result(ev.ret, ev.errno)}`;
    }
    case 'tcp_close':
      return `${who} tcp_close ${endpoint(ev.saddr, ev.sport)} -> ${endpoint(ev.daddr, ev.dport)}${ev.dns ? ` (${ev.dns})` : ''} sent=${ev.bytes_sent} received=${ev.bytes_received}`;
    case 'dns':
      return `${who} dns ${ev.name} -> ${ev.answers.join(', ') || '(none)'}${ev.error ? ' ' + ev.error : ''}`;
    case 'syscall': {
      const args = ev.decoded
        ? Object.entries(ev.decoded).filter(([k]) => !k.endsWith('_path')).map(([k, v]) => {
          const p = ev.decoded![`${k}_path`];
          return p !== undefined ? `${v}<${p}>` : syscallArg(k, v);
        }).join(', ')
        : ev.args.join(', ');
      if (ev.noreturn) return `${who} ${ev.name}(${args}) = ?`;
      return `${who} ${ev.name}(${args}) ${result(ev.ret_hex ?? ev.ret, ev.errno)} <${(ev.dur_ns / 1e9).toFixed(6)}>`;
    }
    case 'finding':
      return `${who} finding ${ev.severity} ${ev.rule}: ${ev.message}`;
    default: { // file operations
      const e = ev;
      const extra = [e.path2 !== undefined ? `-> ${quote(e.path2)}` : '', e.mode ?? '', e.owner ? `${e.owner.uid}:${e.owner.gid}` : '', e.length !== undefined ? String(e.length) : '']
        .filter(Boolean).join(' ');
      return `${who} ${e.syscall} ${quote(e.path)}${extra ? ' ' + extra : ''} ${result(e.ret, e.errno)}`;
    }
  }
}
