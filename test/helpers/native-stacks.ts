// Native source-linking fixtures: compiles the C, C++, Go and Rust programs with
// the flags a test names (into test-output/fixtures/native, rebuilt when the
// source is newer), finds their MARK:<name> lines, and runs one under
// stack-snapshot, which stops it at each openat of a marker path and hands
// over the registers and 8 KiB of stack the probe's kernel side will copy.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { DWARF_REGS, type UserRegs } from '../../remote-agent/src/symbolize/wire';
import { FIXTURES, REPO_ROOT, TEST_OUTPUT } from './paths';

const BIN_DIR = path.join(TEST_OUTPUT, 'fixtures', 'native');

/** The lens-symbolize binary scripts/build.sh makes. */
export const SYMBOLIZE_BINARY = path.join(REPO_ROOT, 'remote-agent', 'native', '.output', 'lens-symbolize');

/** True when `binary` exists and is newer than every one of `sources`. */
export function fresh(binary: string, sources: string[]): boolean {
  try {
    const built = statSync(binary).mtimeMs;
    return sources.every((s) => built >= statSync(s).mtimeMs);
  } catch {
    return false;
  }
}

/** Runs a build command that writes `out`; the error says what to install. */
export function run(cmd: string, args: string[], what: string, env?: NodeJS.ProcessEnv): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`${what} failed (is ${cmd} installed? run npm run setup):\n${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
}

/** Builds `name` from `source` (relative to test/fixtures) with the compiler and flags given. */
export function nativeFixture(name: string, source: string, compiler: 'gcc' | 'g++' | 'go' | 'rustc', flags: string[] = []): string {
  const src = path.join(FIXTURES, source);
  const binary = path.join(BIN_DIR, name);
  if (fresh(binary, [src])) return binary;
  mkdirSync(BIN_DIR, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  if (compiler === 'go') {
    const cache = path.join(TEST_OUTPUT, '.cache');
    const env = { ...process.env, GOCACHE: path.join(cache, 'go-build'), GOPATH: path.join(cache, 'gopath'), GO111MODULE: 'off', GOFLAGS: '', CGO_ENABLED: '0' };
    run('go', ['build', ...flags, '-o', tmp, src], `building ${source}`, env);
  } else if (compiler === 'rustc') {
    run(rustc(), [...flags, '-o', tmp, src], `compiling ${source}`);
  } else {
    run(compiler, [...flags, '-Wall', '-Wextra', '-Werror', '-o', tmp, src], `compiling ${source}`);
  }
  renameSync(tmp, binary);
  return binary;
}

/** rustc from PATH, else from rustup's folder (~/.cargo/bin, not on every PATH). */
function rustc(): string {
  const inPath = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, 'rustc')));
  const cargoBin = path.join(process.env.CARGO_HOME ?? path.join(homedir(), '.cargo'), 'bin', 'rustc');
  return inPath || !existsSync(cargoBin) ? 'rustc' : cargoBin;
}

/** Runs a binutils command (strip, objcopy) that derives `out` from `from`; args(from, to) are its arguments. */
export function derive(out: string, from: string, cmd: string, args: (from: string, to: string) => string[]): string {
  const target = path.join(BIN_DIR, out);
  if (!fresh(target, [from])) run(cmd, args(from, target), `${cmd} ${from}`);
  return target;
}

/** The line numbers of a source's MARK:<name> comments. */
export function marks(source: string): Record<string, number> {
  const found: Record<string, number> = {};
  readFileSync(path.join(FIXTURES, source), 'utf8').split('\n').forEach((line, i) => {
    const m = /MARK:([\w-]+)/.exec(line);
    if (m) found[m[1]] = i + 1;
  });
  return found;
}

/** What stack-snapshot took at one openat entry. */
export interface Snapshot {
  pid: number;
  /** the thread that made the call */
  tid: number;
  regs: UserRegs;
  stack: Buffer;
}

/** A fixture stopped at its marker opens, one at a time. */
export class SnapshotRun {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | undefined;
  private ended = false;
  private stderr = '';

  constructor(argv: string[], prefix = '/lens-marker/') {
    this.child = spawn(snapshotTool(), [prefix, '--', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (c: Buffer) => { this.stderr += c.toString(); });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (l) => this.deliver(l));
    this.lines.on('close', () => { this.ended = true; this.deliver(null); });
  }

  /** The next snapshot (the fixture stays stopped until resume()), or the fixture's exit status. */
  async next(): Promise<Snapshot | { exit: number }> {
    const line = this.queue.shift() ?? (this.ended ? null : await new Promise<string | null>((r) => { this.waiter = r; }));
    if (line === null) throw new Error(`stack-snapshot ended without a result: ${this.stderr}`);
    const j = JSON.parse(line) as { exit?: number; pid: number; tid: number; regs: Record<string, string>; stack: string };
    if (j.exit !== undefined) return { exit: j.exit };
    const regs: UserRegs = {};
    for (const r of DWARF_REGS) regs[r] = BigInt(j.regs[r]);
    return { pid: j.pid, tid: j.tid, regs, stack: Buffer.from(j.stack, 'hex') };
  }

  /** The next snapshot; fails when the fixture exited instead. */
  async snapshot(): Promise<Snapshot> {
    const s = await this.next();
    if ('exit' in s) throw new Error(`the fixture exited (${s.exit}) before opening a marker path: ${this.stderr}`);
    return s;
  }

  /** Lets the stopped openat go on. */
  resume(): void {
    this.child.stdin.write('\n');
  }

  /** Resumes until the fixture exits; its exit status. */
  async finish(): Promise<number> {
    for (;;) {
      this.resume();
      const s = await this.next();
      if ('exit' in s) return s.exit;
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  private deliver(line: string | null): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(line);
    else if (line !== null) this.queue.push(line);
  }
}

function snapshotTool(): string {
  const src = path.join(REPO_ROOT, 'test', 'helpers', 'native', 'stack-snapshot.c');
  const binary = path.join(BIN_DIR, 'stack-snapshot');
  if (!fresh(binary, [src])) {
    mkdirSync(BIN_DIR, { recursive: true });
    const tmp = `${binary}.${process.pid}.tmp`;
    run('gcc', ['-O1', '-g', '-Wall', '-Wextra', '-Werror', '-o', tmp, src], 'compiling stack-snapshot');
    renameSync(tmp, binary);
  }
  return binary;
}
