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

const node = (ts: number) => ({ ...base(ts, 4242, 'node'), key: '4242:5000' });
const js = (fn: string, file: string, line: number, column?: number) => ({ kind: 'js' as const, function: fn, file, line, ...(column ? { column } : {}) });
const APP = '/home/dev/shop/server.js';
const LIB = '/home/dev/shop/lib/store.js';
const NM = '/home/dev/shop/node_modules';

/** Events with stacks and sources, as a traced Node app with dependencies (plus a Python and a native one) gives them. */
export const STACKED: LensEvent[] = [
  { ...node(2000), kind: 'open', syscall: 'openat', path: '/home/dev/shop/config.json', flags: 'O_RDONLY', ret: 21,
    source: { file: APP, line: 12, column: 18, function: 'loadConfig' },
    frames: [js('openSync', 'node:fs', 590, 3), js('readFileSync', 'node:fs', 464, 33), js('loadConfig', APP, 12, 18), js('main', APP, 40, 3),
      { kind: 'native', function: 'uv_run', module: '/usr/bin/node', reason: 'no debug info' }] },
  { ...node(2001), kind: 'open', syscall: 'openat', path: '/home/dev/shop/config.json', flags: 'O_RDONLY', ret: 22,
    source: { file: APP, line: 12, column: 18, function: 'loadConfig' }, frames: [js('openSync', 'node:fs', 590, 3), js('loadConfig', APP, 12, 18)] },
  { ...node(2002), kind: 'connect', family: 'AF_INET', proto: 'tcp', saddr: '10.0.0.2', sport: 51000, daddr: '10.0.0.5', dport: 5432, dns: 'db.internal', fd: 23, ret: -115, errno: 'EINPROGRESS',
    source: { file: LIB, line: 8, function: 'connectDb' },
    frames: [js('connect', 'node:net', 1200), js('Client.connect', `${NM}/pg/lib/client.js`, 132, 10), js('Pool.connect', `${NM}/pg-pool/index.js`, 45), js('connectDb', LIB, 8, 5)] },
  { ...node(2003), kind: 'connect', family: 'AF_INET', proto: 'tcp', saddr: '10.0.0.2', sport: 51002, daddr: '52.94.236.248', dport: 443, dns: 's3.amazonaws.com', fd: 24, ret: 0,
    source: { file: LIB, line: 21, function: 'upload' }, frames_truncated: true,
    frames: [js('connect', 'node:net', 1200), js('NodeHttpHandler.handle', `${NM}/@smithy/node-http-handler/dist-cjs/index.js`, 300), js('S3Client.send', `${NM}/@aws-sdk/client-s3/dist-cjs/index.js`, 88), js('upload', LIB, 21, 9)] },
  { ...node(2004), kind: 'exec', filename: '/usr/bin/convert', argv: ['convert', 'in.png', 'out.webp'], cwd: '/home/dev/shop', ret: 0,
    source: { file: LIB, line: 30, function: 'thumbnail' }, frames: [js('spawnSync', 'node:child_process', 870), js('thumbnail', LIB, 30, 3)] },
  { ...base(2005, 77, 'python3'), kind: 'connect', family: 'AF_INET', proto: 'tcp', saddr: '10.0.0.2', sport: 40100, daddr: '10.0.0.5', dport: 5432, fd: 3, ret: 0,
    source: { file: '/home/dev/shop/jobs/report.py', line: 5, function: 'run' },
    frames: [{ kind: 'native', function: 'connect', module: '/usr/lib/x86_64-linux-gnu/libc.so.6', file: 'socket.c', line: 30 },
      { kind: 'native', function: 'PQconnectPoll', module: '/usr/lib/x86_64-linux-gnu/libpq.so.5', reason: 'no debug info' },
      { kind: 'python', function: 'connect', file: '/usr/lib/python3/dist-packages/psycopg2/__init__.py', line: 122 },
      { kind: 'python', function: 'run', file: '/home/dev/shop/jobs/report.py', line: 5 }] },
  { ...base(2006, 78, 'sh'), kind: 'open', syscall: 'openat', path: '/etc/ld.so.cache', flags: 'O_RDONLY', ret: 3, stack_error: 'the thread\'s stack could not be read (process exited)' },
];
