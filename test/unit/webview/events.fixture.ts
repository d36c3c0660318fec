// Small, hand-written events shared by the webview unit tests.
import type { LensEvent } from '../../../remote-agent/src/protocol';

const base = (ts: number, pid: number, comm: string, ppid = 1) => ({ ts, pid, tid: pid, ppid, uid: 1000, comm, key: `${pid}:1000` });

export const EVENTS: LensEvent[] = [
  { ...base(1000, 100, 'bash'), kind: 'exec', filename: '/usr/bin/node', argv: ['node', 'server.js'], cwd: '/app', ret: 0 },
  { ...base(1001, 100, 'node'), kind: 'open', syscall: 'openat', path: '/app/.env', flags: 'O_RDONLY', ret: 3 },
  { ...base(1002, 101, 'python3', 100), kind: 'open', syscall: 'openat', path: '/app/.env', flags: 'O_RDONLY', ret: 4 },
  { ...base(1003, 101, 'python3', 100), kind: 'open', syscall: 'openat', path: '/app/missing.txt', flags: 'O_RDONLY', ret: -2, errno: 'ENOENT' },
  { ...base(1004, 102, 'curl', 101), kind: 'connect', family: 'AF_INET', proto: 'tcp', saddr: '10.0.0.1', sport: 40000, daddr: '93.184.216.34', dport: 443, dns: 'example.com', fd: 5, ret: 0 },
  { ...base(1005, 102, 'curl', 101), kind: 'dns', name: 'example.com', answers: ['93.184.216.34'], ret: 0 },
  { ...base(1006, 100, 'node'), kind: 'syscall', name: 'read', nr: 0, args: ['0x3'], ret: -11, errno: 'EAGAIN', dur_ns: 2_500_000 },
  { ...base(1007, 102, 'curl', 101), kind: 'exit', exit_code: 6 },
  { ...base(1008, 102, 'curl', 101), kind: 'tcp_close', family: 'AF_INET', saddr: '10.0.0.1', sport: 40000, daddr: '93.184.216.34', dport: 443, bytes_sent: 100, bytes_received: 5000, dns: 'example.com' },
  { ...base(1009, 100, 'node'), kind: 'syscall', name: 'write', nr: 1, args: ['0x1'], ret: 12, dur_ns: 800 },
];
