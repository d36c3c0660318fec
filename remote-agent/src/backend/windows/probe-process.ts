/*
 * The Windows probe: the programs loaded with netsh (unless already loaded),
 * then lens-probe.exe spawned to read their ring buffer; its stdout is the
 * packet stream, its stdin takes the control commands. When it has exited,
 * the programs this session loaded are unloaded.
 */
import { spawn } from 'node:child_process';
import { encodeCommand, type ProbeCommand } from '../../decode/commands';
import { ErrorCodes } from '../../protocol';
import { Fixes, SessionError } from '../../trace/errors';
import type { ProbeControl, ProbeListener, ProbeOptions } from '../backend';
import { loadPrograms, unloadPrograms } from './netsh';

export interface WindowsProbeSetup {
  /** the program objects netsh loads (empty: they are loaded already, e.g. as native drivers) */
  objects: readonly string[];
  /** runs lens-probe.exe through this program (wine64 in tests on Linux); none on Windows */
  runner?: string;
  netsh?: string;
}

/** lens-probe.exe's argv for these options. */
export function windowsProbeArgs(o: ProbeOptions): string[] {
  const args = ['--stats-ms', String(o.statsMs), '--events', o.events.join(',')];
  const t = o.target;
  if ('pid' in t) return [...args, '--pid', String(t.pid)];
  return [...args, '--', ...t.command];
}

export async function startWindowsProbe(probePath: string, o: ProbeOptions, setup: WindowsProbeSetup, on: ProbeListener): Promise<ProbeControl> {
  const loaded = await loadPrograms(setup.objects, setup.netsh);
  if ('state' in loaded) throw new SessionError(loaded.reason === 'access-denied' ? ErrorCodes.PermissionDenied : ErrorCodes.KernelUnsupported, loaded.message, [Fixes.advice(loaded.fix)]);
  const [cmd, args] = setup.runner ? [setup.runner, [probePath, ...windowsProbeArgs(o)]] : [probePath, windowsProbeArgs(o)];
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  let stopped = false;
  child.stdout.on('data', (c: Buffer) => on.packets(c));
  child.stderr.on('data', (c: Buffer) => on.diagnostics(c));
  child.stdin.on('error', () => { /* the probe is gone; its exit is reported */ });
  child.stdout.once('close', () => on.packetsEnded());
  child.once('error', (e) => on.exited({ startError: `cannot start ${probePath}: ${e.message}` }));
  child.once('close', (code, signal) => {
    void unloadPrograms(loaded.ids, setup.netsh).then(() => on.exited({ code: code ?? undefined, signal: signal ?? undefined }));
  });
  const send = (c: ProbeCommand) => { if (!stopped && child.stdin.writable) child.stdin.write(encodeCommand(c)); };
  return {
    get probePid() { return child.pid; },
    addPid: (pid) => send({ op: 'add', pid }),
    removePid: (pid) => send({ op: 'remove', pid }),
    registerPython: () => { /* no Python frames on Windows: the probe would refuse it */ },
    requestStats: () => send({ op: 'stats' }),
    stop: () => { if (!stopped) { send({ op: 'stop' }); stopped = true; child.stdin.end(); } },
    kill: (signal) => { child.kill(signal); },
    input: () => { throw new SessionError(ErrorCodes.InvalidParams, 'input to a launched target is not supported on Windows yet'); },
    holdOutput: () => {},
    endTarget: () => {},
    release: () => { child.unref(); },
  };
}
