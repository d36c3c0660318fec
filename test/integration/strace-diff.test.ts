// Differential test: every execve/openat/connect that `strace -f` reports for a
// mixed workload appears in our output with the same path, argv or address and result.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, realpathSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LensEvent } from '../../remote-agent/src/protocol';
import { requireBpf } from '../helpers/bpf';
import { cFixture, scratchDir, scriptFixture } from '../helpers/fixtures';
import { parseStrace, type StraceCall } from '../helpers/strace';
import { assertExit, trace } from '../helpers/trace';

/** The key of our event in strace's terms, or null when it is not one strace was asked about. */
function keyOf(e: LensEvent): { syscall: StraceCall['syscall']; key: string } | null {
  if (e.kind === 'exec') return { syscall: 'execve', key: e.filename };
  if (e.kind === 'open' && e.syscall === 'openat') return { syscall: 'openat', key: e.path };
  if (e.kind === 'connect') {
    if (e.family === 'AF_INET' || e.family === 'AF_INET6') return { syscall: 'connect', key: `${e.family} ${e.daddr}:${e.dport}` };
    if (e.family === 'AF_UNIX') return { syscall: 'connect', key: `AF_UNIX ${e.path ?? ''}` };
    return { syscall: 'connect', key: e.family };
  }
  return null;
}

function sameResult(call: StraceCall, e: LensEvent): boolean {
  const ours = e as { ret?: number; errno?: string };
  if (call.ret >= 0) return ours.ret === call.ret;
  return ours.errno === call.errno;
}

describe('differential test against strace -f', function () {
  before(function () {
    requireBpf(this);
  });

  it('every execve, openat and connect strace reports is in our output, with the same arguments and result', async function () {
    this.timeout(120_000);
    const tcp = net.createServer((s) => s.resume());
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    try {
      const dir = realpathSync(scratchDir('strace-diff'));
      const log = path.join(dir, 'strace.log');
      const binDir = path.dirname(cFixture('fileops'));
      cFixture('net');
      const workload = ['/bin/sh', scriptFixture('shell/workload.sh'), binDir, dir, String((tcp.address() as AddressInfo).port), String(udp.address().port)];
      const strace = ['strace', '-f', '-qq', '-y', '-s', '4096', '-e', 'trace=execve,openat,connect', '-e', 'signal=none', '-o', log, '--'];
      const run = await trace([...strace, ...workload], [], { cwd: dir, timeoutMs: 100_000 });
      assertExit(run, 0);

      const calls = parseStrace(readFileSync(log, 'utf8'));
      assert.ok(calls.filter((c) => c.syscall === 'execve').length >= 6, `strace saw the workload's execs:\n${readFileSync(log, 'utf8').slice(0, 2000)}`);
      assert.ok(calls.some((c) => c.syscall === 'connect'), 'strace saw connects');

      // Index our events by thread, syscall and key; each strace call consumes one match.
      const ours = new Map<string, LensEvent[]>();
      for (const e of run.events) {
        const k = keyOf(e);
        if (!k) continue;
        for (const id of new Set([e.tid, e.pid])) {
          const slot = `${id} ${k.syscall} ${k.key}`;
          ours.set(slot, [...(ours.get(slot) ?? []), e]);
        }
      }
      const used = new Set<LensEvent>();
      const missing: string[] = [];
      for (const call of calls) {
        const candidates = ours.get(`${call.tid} ${call.syscall} ${call.key}`) ?? [];
        const match = candidates.find((e) => !used.has(e) && sameResult(call, e) && (!call.argv || JSON.stringify((e as { argv?: string[] }).argv) === JSON.stringify(call.argv)));
        if (match) used.add(match);
        else missing.push(`${call.line}\n    ours for this key: ${candidates.map((e) => JSON.stringify(e)).join(' | ') || 'none'}`);
      }
      assert.equal(missing.length, 0, `${missing.length} of ${calls.length} strace calls are missing from our output:\n${missing.slice(0, 30).join('\n')}`);
    } finally {
      tcp.close();
      udp.close();
    }
  });
});
