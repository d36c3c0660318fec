// Section `remote` of `npm run bench` (remote hosts over SSH), against the sshd test host
// (test/helpers/sshd.ts: a network namespace behind a veth pair): time to the first event with a
// warm connection (the CLI started anew, and a connected agent's session/start), each beside the same
// on this machine; and events per second carried over SSH (open events of a tight openat loop), with
// what was lost, beside the same trace run locally.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { EventsNotification, InitializeRequest, SessionStartRequest } from '../../remote-agent/src/protocol';
import { AgentProcess } from '../../test/helpers/agent';
import { CLI_ENTRY } from '../../test/helpers/paths';
import { startSshHost, type SshHost } from '../../test/helpers/sshd';
import { median } from './proc';
import { REPO } from './tracers';

type Or<T> = T | { error: string };

/** Events per second of one trace, and its losses. */
export interface RateRun { events: number; seconds: number; lost: number }

export interface RemoteResults {
  /** first run: ssh login and deployment included */
  coldS: number;
  /** CLI start to its first event, warm master: remote and local */
  cliS: { remote: number[]; local: number[] };
  /** session/start to the first events notification of a connected agent: remote and local */
  agentMs: { remote: number[]; local: number[] };
  rate: { opens: number; remote: RateRun; local: RateRun };
}

const SIZES = { full: { reps: 5, opens: 1_000_000 }, quick: { reps: 2, opens: 200_000 } };
const GOALS = { firstEventS: 2, rate: 100_000 };

/** Seconds from starting `trace --json ARGS` to its first NDJSON line, and the run's end. */
function cliFirstEvent(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [CLI_ENTRY, 'trace', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let first: number | undefined;
    let err = '';
    p.stdout.on('data', (d: Buffer) => { if (first === undefined && d.includes(10)) first = Number(process.hrtime.bigint() - t0) / 1e9; });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => (first !== undefined && code === 0 ? resolve(first) : reject(new Error(`trace ${args.join(' ')} exited ${code} without events: ${err.slice(-500)}`))));
  });
}

/** ms from session/start (launching /bin/true) to the first events notification, per rep, on one connected agent. */
async function agentFirstEvent(extraArgs: string[], reps: number): Promise<number[]> {
  const agent = new AgentProcess({}, [], extraArgs);
  const conn = agent.connect();
  const firsts = new Map<string, number>();
  conn.onNotification(EventsNotification, (p) => { if (!firsts.has(p.sessionId)) firsts.set(p.sessionId, performance.now()); });
  try {
    await conn.sendRequest(InitializeRequest, { clientName: 'bench' });
    const out: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const { sessionId } = await conn.sendRequest(SessionStartRequest, { target: { kind: 'launch', command: ['/bin/true'], stdio: 'null' } });
      const deadline = Date.now() + 30_000;
      while (!firsts.has(sessionId)) {
        if (Date.now() > deadline) throw new Error('no events within 30 s of session/start');
        await new Promise((r) => setTimeout(r, 5));
      }
      out.push(firsts.get(sessionId)! - t0);
    }
    return out;
  } finally {
    conn.dispose();
    await agent.stop();
  }
}

/** Events delivered per second (first to last event time) by `trace --json --events file ARGS -- open-loop N`, and what was lost. */
function rateRun(args: string[], loop: string, opens: number): Promise<RateRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI_ENTRY, 'trace', '--json', '--events', 'file', ...args, '--', loop, String(opens)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let events = 0, firstTs = 0, lastTs = 0, tail = '', err = '';
    const tsOf = (line: string) => Number(/"ts":([0-9.]+)/.exec(line)?.[1] ?? 0);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      const lines = (tail + d).split('\n');
      tail = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"kind":"open"')) continue;
        events++;
        const ts = tsOf(line);
        if (!firstTs) firstTs = ts;
        lastTs = ts;
      }
    });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => {
      const lost = /\blost=(\d+)/.exec(err);
      if (code !== 0 || !lost) return reject(new Error(`open-loop trace exited ${code}: ${err.slice(-500)}`));
      resolve({ events, seconds: (lastTs - firstTs) / 1000, lost: Number(lost[1]) });
    });
  });
}

/** Measures the section against a fresh test host. */
export async function measureRemote(scratch: string, quick: boolean, log: (m: string) => void): Promise<Or<RemoteResults>> {
  const n = quick ? SIZES.quick : SIZES.full;
  let host: SshHost | undefined;
  try {
    log('remote: starting the sshd test host');
    host = await startSshHost();
    const remote = ['--host', host.target, ...host.sshOptions.flatMap((o) => ['--ssh-option', o])];
    const t0 = performance.now();
    await cliFirstEvent([...remote, '--', '/bin/true']);
    const coldS = (performance.now() - t0) / 1000;
    const cliS = { remote: [] as number[], local: [] as number[] };
    for (let i = 0; i < n.reps; i++) {
      cliS.remote.push(await cliFirstEvent([...remote, '--', '/bin/true']));
      cliS.local.push(await cliFirstEvent(['--', '/bin/true']));
    }
    log(`remote: first event (CLI) ${median(cliS.remote).toFixed(2)} s over ssh, ${median(cliS.local).toFixed(2)} s here`);
    const agentMs = { remote: await agentFirstEvent(remote, n.reps), local: await agentFirstEvent([], n.reps) };
    log(`remote: first event (agent) ${Math.round(median(agentMs.remote))} ms over ssh, ${Math.round(median(agentMs.local))} ms here`);
    const loop = path.join(scratch, 'open-loop');
    const cc = spawnSync('cc', ['-O2', '-o', loop, path.join(REPO, 'scripts', 'bench', 'open-loop.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cannot build open-loop: ${cc.stderr}`);
    const rate = { opens: n.opens, remote: await rateRun(remote, loop, n.opens), local: await rateRun([], loop, n.opens) };
    log(`remote: ${Math.round(rate.remote.events / rate.remote.seconds)} events/s over ssh (lost ${rate.remote.lost}), ${Math.round(rate.local.events / rate.local.seconds)} here (lost ${rate.local.lost})`);
    return { coldS, cliS, agentMs, rate };
  } catch (err) {
    log(`remote: ${(err as Error).message}`);
    return { error: (err as Error).message };
  } finally {
    host?.stop();
  }
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const perS = (r: RateRun) => r.events / r.seconds;

/** The section's markdown lines. */
export function remoteSection(r: Or<RemoteResults>): string[] {
  const head = ['', '### Remote hosts over SSH', ''];
  if ('error' in r) return [...head, `Not measured: ${r.error}`];
  const cli = median(r.cliS.remote), agent = median(r.agentMs.remote) / 1000;
  const lossless = r.rate.remote.lost === 0;
  return [...head,
    'Against the test host of test/remote (sshd in a network namespace behind a veth pair, same kernel, no node there); '
    + `medians of ${r.cliS.remote.length} runs, interleaved with the same run on this machine.`, '',
    `- Time to first event, warm connection (ControlMaster up, deployment reused): ${cli.toFixed(2)} s from starting \`trace --host … -- /bin/true\` `
    + `(${median(r.cliS.local).toFixed(2)} s for the same trace here), ${agent.toFixed(2)} s from session/start on a connected agent `
    + `(${(median(r.agentMs.local) / 1000).toFixed(2)} s here); goal ≤ ${GOALS.firstEventS} s — ${Math.max(cli, agent) <= GOALS.firstEventS ? 'met' : '**missed**'}`,
    `- First run (ssh login and deployment of 4.4 MB): ${r.coldS.toFixed(2)} s to the first event.`,
    `- Events over SSH: ${int(r.rate.remote.events)} open events of ${int(r.rate.opens)} openat calls at ${int(perS(r.rate.remote))}/s, lost ${int(r.rate.remote.lost)} `
    + `(here: ${int(perS(r.rate.local))}/s, lost ${int(r.rate.local.lost)}); goal ≥ ${int(GOALS.rate)}/s without loss — ${perS(r.rate.remote) >= GOALS.rate && lossless ? 'met' : '**missed**'}`,
  ];
}
