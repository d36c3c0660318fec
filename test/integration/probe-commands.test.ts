// lens-probe's stdin commands on a real probe, as the agent sends them (decode/commands.ts): add PID
// follows a process that already runs, remove PID stops following it, and stats answers in order.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { encodeCommand, type ProbeCommand } from '../../remote-agent/src/decode/commands';
import { decodeError, decodeStats, type ProbeError } from '../../remote-agent/src/decode/control';
import { Kind, PacketType } from '../../remote-agent/src/decode/layout';
import { PacketSplitter } from '../../remote-agent/src/decode/packets';
import { RecordDecoder, type ProbeRecord } from '../../remote-agent/src/decode/records';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir } from '../helpers/fixtures';
import { PROBE_BINARY } from '../helpers/paths';
import { waitFor } from '../helpers/procs';

/** lens-probe run directly: its records, STATS count and ERROR packets as they arrive. */
class DirectProbe {
  readonly child: ChildProcess;
  readonly records: ProbeRecord[] = [];
  readonly errors: ProbeError[] = [];
  stats = 0;
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(PROBE_BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    const decoder = new RecordDecoder();
    const splitter = new PacketSplitter((type, buf, start, end) => {
      if (type === PacketType.RECORDS) decoder.decode(buf, start, end, this.records);
      else if (type === PacketType.STATS && !decodeStats(buf, start, end).final) this.stats++;
      else if (type === PacketType.ERROR) this.errors.push(decodeError(buf, start, end));
    });
    this.child.stdin!.on('error', () => {}); // a command racing the probe's exit is not the test's failure
    this.child.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
  }

  send(cmd: ProbeCommand): void {
    this.child.stdin!.write(encodeCommand(cmd));
  }

  /** Waits until `check` holds over what arrived; fails at once when the probe has exited. */
  until<T>(what: string, check: () => T | undefined | false): Promise<T> {
    return waitFor(what, () => {
      const value = check();
      if (value !== undefined && value !== false) return value;
      if (this.child.exitCode !== null) throw new Error(`lens-probe exited (${this.child.exitCode}) before ${what}; stderr: ${this.stderr}`);
      return undefined;
    }, 15_000);
  }

  /** Sends stats and waits for its answer: every command written before it has run. */
  async sync(): Promise<void> {
    const before = this.stats;
    this.send({ op: 'stats' });
    await this.until('the STATS answering a stats command', () => this.stats > before);
  }

  opens(pid: number, path: string): ProbeRecord[] {
    return this.records.filter((r) => r.kind === Kind.OPEN && r.pid === pid && r.path === path);
  }

  /** stop, then the probe's exit (its programs detached). */
  async stop(): Promise<number | null> {
    this.child.stdin!.end(encodeCommand({ op: 'stop' }));
    return this.exited;
  }
}

/** An attachee fixture: a long-running process that opens paths it is sent. */
function attachee(): { child: ChildProcess; open(path: string): void; exit(): Promise<number | null> } {
  const child = spawn(cFixture('attachee'), [], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    open: (path) => child.stdin!.write(`open ${path}\n`),
    exit: () => { child.stdin!.end('exit 0\n'); return exited; },
  };
}

describe('lens-probe stdin commands (add, remove, stats)', function () {
  const started: ChildProcess[] = [];

  before(function () {
    requireBpf(this);
  });

  afterEach(function () {
    for (const child of started.splice(0)) child.kill('SIGKILL');
  });

  it('add PID: the opens of a process already running appear; remove PID: they stop while the first target is still traced', async function () {
    const dir = scratchDir('commands');
    const first = attachee();
    const added = attachee();
    const probe = new DirectProbe(['--events', 'exec,file', '--stats-ms', '0', '--pid', String(first.child.pid)]);
    started.push(first.child, added.child, probe.child);

    await probe.sync(); // attached: HELLO and TARGET come before the answer to stats
    probe.send({ op: 'add', pid: added.child.pid! });
    await probe.sync();
    added.open(`${dir}/added`);
    await probe.until('the open of the added process', () => probe.opens(added.child.pid!, `${dir}/added`).length > 0);

    probe.send({ op: 'remove', pid: added.child.pid! });
    await probe.sync();
    added.open(`${dir}/removed`);
    assert.equal(await added.exit(), 0); // its open is done, and its exit too
    first.open(`${dir}/first`);
    await probe.until('the open of the first target, after the removed process ended', () => probe.opens(first.child.pid!, `${dir}/first`).length > 0);

    assert.deepEqual(probe.opens(added.child.pid!, `${dir}/removed`), [], 'nothing after remove');
    assert.deepEqual(probe.records.filter((r) => r.kind === Kind.EXIT && r.pid === added.child.pid), [], 'no exit of the removed process');
    assert.deepEqual(probe.errors, []);
    assert.equal(await probe.stop(), 0, probe.stderr);
  });

  it('add of a pid that does not exist: an ERROR packet naming it, and tracing goes on', async function () {
    const dir = scratchDir('commands');
    const first = attachee();
    const probe = new DirectProbe(['--events', 'file', '--stats-ms', '0', '--pid', String(first.child.pid)]);
    started.push(first.child, probe.child);
    const gone = spawn('/bin/true');
    const pid = gone.pid!;
    await new Promise((resolve) => gone.on('exit', resolve));

    probe.send({ op: 'add', pid });
    await probe.sync();
    assert.equal(probe.errors.length, 1, probe.stderr);
    assert.equal(probe.errors[0].message, `add: no process with pid ${pid}`);
    first.open(`${dir}/after-error`);
    await probe.until('an open of the first target after the refused add', () => probe.opens(first.child.pid!, `${dir}/after-error`).length > 0);
    assert.equal(await probe.stop(), 0, probe.stderr);
  });
});
