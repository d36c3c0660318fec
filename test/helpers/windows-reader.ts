// lens-probe.exe (bpf/windows) run here: under wine64, against the test
// stand-in of ebpfapi.dll that serves records from a file. One wineserver per
// test file (startWine/stopWine) keeps the wine start-ups few.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAYOUT, PacketType } from '../../remote-agent/src/decode/layout';
import { PacketSplitter } from '../../remote-agent/src/decode/packets';

const root = path.resolve(__dirname, '../..');
const winDir = path.join(root, 'bpf/windows');
const H = LAYOUT.lens_hdr.fields;

/** A wine program: Debian's wine64 package keeps them in /usr/lib/wine (no /usr/bin/wine64 without the wine package). */
export function wineTool(name: string): string {
  const lib = `/usr/lib/wine/${name}`;
  if (existsSync(lib)) return lib;
  return name;
}

/** Environment of the wine session: its own prefix, kept in .cache (made once, about 20 s). */
export function wineEnv(): NodeJS.ProcessEnv {
  const prefix = path.join(root, '.cache/wine-prefix');
  mkdirSync(prefix, { recursive: true });
  return { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}

/** Builds the reader and the stand-in, copies them side by side into a fresh folder; starts a persistent wineserver (and its services). */
export function startWine(): { dir: string } {
  execFileSync('make', ['-s', '-C', winDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'lens-win-'));
  copyFileSync(path.join(winDir, '.output/lens-probe.exe'), path.join(dir, 'lens-probe.exe'));
  copyFileSync(path.join(winDir, '.output/standin/ebpfapi.dll'), path.join(dir, 'ebpfapi.dll'));
  const env = wineEnv();
  stopWine();
  execFileSync(wineTool('wineserver'), ['-p'], { env, stdio: 'ignore' });
  // the session's first program starts wine's services, which would inherit (and hold open) its pipes
  execFileSync(wineTool('wine64'), ['cmd.exe', '/c', 'exit'], { env, stdio: 'ignore' });
  return { dir };
}

export function stopWine(): void {
  try { execFileSync(wineTool('wineserver'), ['-k'], { env: wineEnv(), stdio: 'ignore' }); } catch { /* already gone */ }
}

/** One packet of the reader's stdout. */
export interface Packet { type: number; payload: Buffer }

/** A running reader: its packets as they come, and its end. */
export interface ReaderRun {
  child: ChildProcess;
  packets: Packet[];
  stderr: string;
  /** resolves when the reader has written a packet that `test` accepts */
  waitFor(test: (packets: Packet[]) => boolean, what: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** Starts lens-probe.exe under wine with the stand-in serving `records`. */
export function runReader(dir: string, args: string[], standin: { records: Buffer; drops?: string; log?: string }): ReaderRun {
  const recordsFile = path.join(dir, `records-${process.hrtime.bigint()}.bin`);
  writeFileSync(recordsFile, standin.records);
  const env = { ...wineEnv(), LENS_STANDIN_RECORDS: recordsFile, LENS_STANDIN_DROPS: standin.drops ?? '', LENS_STANDIN_LOG: standin.log ?? '' };
  const child = spawn(wineTool('wine64'), [path.join(dir, 'lens-probe.exe'), ...args], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const packets: Packet[] = [];
  const waiters: Array<() => void> = [];
  const splitter = new PacketSplitter((type, buf, start, end) => {
    packets.push({ type, payload: Buffer.from(buf.subarray(start, end)) });
    for (const w of waiters.splice(0)) w();
  });
  child.stdout!.on('data', (c: Buffer) => splitter.push(c));
  const run: ReaderRun = {
    child, packets, stderr: '',
    exited: new Promise((resolve) => child.on('close', (code, signal) => { for (const w of waiters.splice(0)) w(); resolve({ code, signal }); })),
    waitFor: (test, what) => new Promise((resolve, reject) => {
      const check = () => {
        if (test(packets)) resolve();
        else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`lens-probe.exe ended before ${what}: ${run.stderr}`));
        else waiters.push(check);
      };
      check();
    }),
  };
  child.stderr!.on('data', (c: Buffer) => { run.stderr += c.toString(); });
  return run;
}

/** The records of every RECORDS packet, back to back. */
export function recordBytes(packets: Packet[]): Buffer {
  return Buffer.concat(packets.filter((p) => p.type === PacketType.RECORDS).map((p) => p.payload));
}

/** A kernel record of `kind` with header fields set and `body` written at its offsets. */
export function record(kind: number, size: number, hdr: { pid: number; ppid?: number; startNs?: number; tsNs?: number; comm?: string }, body: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  b.writeBigUInt64LE(BigInt(hdr.tsNs ?? 1_000_000), H.ts_ns);
  b.writeBigUInt64LE(BigInt(hdr.startNs ?? 0), H.start_ns);
  b.writeUInt32LE(hdr.pid, H.pid);
  b.writeUInt32LE(hdr.pid, H.tid);
  b.writeUInt32LE(hdr.ppid ?? 0, H.ppid);
  b.writeUInt16LE(kind, H.kind);
  b.writeUInt16LE(size, H.size);
  b.write(hdr.comm ?? '', H.comm, 15, 'latin1');
  body(b);
  return b;
}

const E = LAYOUT.lens_exec_event.fields;
const F = LAYOUT.lens_fork_event.fields;
const X = LAYOUT.lens_exit_event.fields;
const S = LAYOUT.lens_sock_event.fields;
const A = LAYOUT.lens_addr.fields;

/** What bpf/windows/process.c writes at a process create: the parent's FORK, the child's EXEC. */
export function winCreate(o: { pid: number; ppid: number; startNs: number; parentStartNs: number; image: string; cmdline: string }): Buffer[] {
  const fork = record(2, LAYOUT.lens_fork_event.size, { pid: o.ppid, startNs: o.parentStartNs }, (b) => {
    b.writeUInt32LE(o.pid, F.child_pid);
    b.writeUInt32LE(o.pid, F.child_tid);
    b.writeBigUInt64LE(BigInt(o.startNs), F.child_start_ns);
  });
  const image = Buffer.from(`${o.image}\0`);
  const cmd = Buffer.from(`${o.cmdline}\0`);
  const size = LAYOUT.lens_exec_event.size + image.length + cmd.length;
  const comm = o.image.slice(o.image.lastIndexOf('\\') + 1);
  const exec = record(1, size, { pid: o.pid, ppid: o.ppid, startNs: o.startNs, comm }, (b) => {
    b.writeUInt32LE(1, E.argc);
    b.writeUInt16LE(image.length, E.filename_len);
    b.writeUInt16LE(cmd.length, E.argv_len);
    image.copy(b, E.names);
    cmd.copy(b, E.names + image.length);
  });
  return [fork, exec];
}

/** What bpf/windows/net.c writes at an IPv4 connect (kind 15), accept (16) or bind (17). */
export function winSock(kind: number, o: { pid: number; ppid: number; startNs: number; local: [string, number]; remote?: [string, number]; proto?: number }): Buffer {
  return record(kind, LAYOUT.lens_sock_event.size, { pid: o.pid, ppid: o.ppid, startNs: o.startNs }, (b) => {
    b.writeInt32LE(-1, S.fd);
    b.writeUInt32LE(o.proto ?? 6, S.proto);
    const put = (at: number, [ip, port]: [string, number]) => {
      b.writeUInt16LE(2, at + A.family);
      b.writeUInt16LE(port, at + A.port);
      Buffer.from(ip.split('.').map(Number)).copy(b, at + A.addr);
    };
    put(S.local, o.local);
    if (o.remote) put(S.remote, o.remote);
    if (kind === 17) b.writeUInt32LE(o.local[1], S.extra);
  });
}

/** What bpf/windows/process.c writes when a traced process ends. */
export function winExit(o: { pid: number; ppid: number; startNs: number; code: number }): Buffer {
  return record(3, LAYOUT.lens_exit_event.size, { pid: o.pid, ppid: o.ppid, startNs: o.startNs }, (b) => b.writeInt32LE(o.code, X.exit_code));
}
