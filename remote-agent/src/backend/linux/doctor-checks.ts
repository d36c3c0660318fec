/*
 * What this kernel and user can do for Runtime Lens, and the exact fix for
 * each missing thing. Used by `runtime-lens doctor`, the `doctor` RPC and
 * initialize's `problem`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { DoctorCheck } from '../../protocol';
import { locateProbe } from './locate-probe';
import { hasProbeCapabilities, setcapCommand } from './privileges';

/** Capability bits this project cares about (linux/capability.h). */
const CAP = { SYS_ADMIN: 21, PERFMON: 38, BPF: 39 } as const;

/** The facts the checks read, injectable so tests can describe other machines. */
export interface DoctorEnv {
  kernel: string;
  exists(path: string): boolean;
  read(path: string): string | undefined;
  /** `bpftool feature probe kernel` output, or undefined when it cannot run */
  bpftoolFeatures(): string | undefined;
  /** `getcap FILE` output, or undefined when getcap is missing */
  getcap(path: string): string | undefined;
  probePath(): { path?: string; error?: string };
  euid: number;
  /** stdout of `PROBE --check-hooks` (one `hook NAME ok|ERRNO DETAIL` line per hook type); omitted: not tried */
  hookCheck?(probePath: string): string | undefined;
}

function run(cmd: string, args: string[]): string | undefined {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 }); } catch { return undefined; }
}

/** stdout of a command that may exit non-zero (the probe's check exits 1 when a hook fails). */
function output(cmd: string, args: string[]): string | undefined {
  try { return execFileSync(cmd, args, { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20000 }); } catch (e) {
    return (e as { stdout?: string }).stdout || undefined;
  }
}

/** One hook type as the probe tried it: ok, or the errno name and what failed. */
interface HookResult { ok: boolean; errno: string; detail: string }

/** Parses `lens-probe --check-hooks` lines (other bytes, e.g. an ERROR packet, are ignored). */
export function parseHookCheck(text: string | undefined): Map<string, HookResult> {
  const hooks = new Map<string, HookResult>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^hook\t([a-z_]+)\t([A-Za-z0-9]+)\t(.*)$/.exec(line);
    if (m) hooks.set(m[1], { ok: m[2] === 'ok', errno: m[2], detail: m[3] });
  }
  return hooks;
}

/** The real machine. */
export function systemDoctorEnv(): DoctorEnv {
  return {
    kernel: release(),
    exists: existsSync,
    read: (p) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } },
    bpftoolFeatures: () => run('bpftool', ['feature', 'probe', 'kernel']) ?? run('/usr/sbin/bpftool', ['feature', 'probe', 'kernel']),
    getcap: (p) => run('getcap', [p]) ?? run('/usr/sbin/getcap', [p]),
    probePath: () => { try { return { path: locateProbe().path }; } catch (e) { return { error: (e as Error).message }; } },
    euid: process.geteuid?.() ?? -1,
    hookCheck: (probe) => output(probe, ['--check-hooks']),
  };
}

function capsOf(status: string | undefined): bigint {
  const m = status ? /^CapEff:\s+([0-9a-f]+)/m.exec(status) : null;
  return m ? BigInt('0x' + m[1]) : 0n;
}
const has = (caps: bigint, bit: number) => (caps >> BigInt(bit)) & 1n ? true : false;

function kernelAtLeast(kernel: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  return !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

function feature(features: string | undefined, what: string): boolean | undefined {
  if (!features) return undefined;
  const m = new RegExp(`^eBPF ${what} is (NOT )?available`, 'm').exec(features);
  return m ? !m[1] : undefined;
}

/** The user's and the probe's privileges: whether the probe will be able to load programs. */
export function privilegeChecks(env: DoctorEnv = systemDoctorEnv()): { userPriv: boolean; userCheck: DoctorCheck; probeChecks: DoctorCheck[] } {
  const caps = capsOf(env.read('/proc/self/status'));
  const userPriv = env.euid === 0 || (has(caps, CAP.BPF) && has(caps, CAP.PERFMON)) || has(caps, CAP.SYS_ADMIN);
  const capList = ['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN'].filter((_, i) => has(caps, [CAP.BPF, CAP.PERFMON, CAP.SYS_ADMIN][i]));
  const userCheck: DoctorCheck = {
    name: 'user capabilities', ok: true,
    detail: env.euid === 0 ? 'running as root' : `uid ${env.euid}; effective: ${capList.join(', ') || 'none'}${userPriv ? '' : ' (only the probe needs privileges; see the next check)'}`,
  };
  const probe = env.probePath();
  if (!probe.path) {
    return { userPriv, userCheck, probeChecks: [{ name: 'probe', ok: false, detail: probe.error ?? 'lens-probe not found', fix: 'make -C bpf/linux (or set LENS_PROBE=/path/to/lens-probe)' }] };
  }
  const fileCaps = userPriv ? undefined : env.getcap(probe.path)?.trim();
  const capsText = !fileCaps ? '' : fileCaps.startsWith(probe.path + ' ') ? fileCaps.slice(probe.path.length + 1) : fileCaps.slice(fileCaps.indexOf(' ') + 1);
  const probeCapsOk = hasProbeCapabilities(capsText);
  const ok = userPriv || probeCapsOk;
  const privilege: DoctorCheck = {
    name: 'probe privileges', ok,
    detail: userPriv ? `runs with this user's privileges (${env.euid === 0 ? 'root' : capList.join(', ')})`
      : probeCapsOk ? `file capabilities: ${capsText}` : 'no file capabilities on the probe and this user is not privileged',
  };
  if (!ok) privilege.fix = `${setcapCommand(probe.path)}   (or run with sudo)`;
  return { userPriv, userCheck, probeChecks: [{ name: 'probe', ok: true, detail: probe.path }, privilege] };
}

/** Runs every check. */
export function runDoctor(env: DoctorEnv = systemDoctorEnv()): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const add = (name: string, ok: boolean, detail: string, fix?: string) => checks.push(fix && !ok ? { name, ok, detail, fix } : { name, ok, detail });

  add('kernel', kernelAtLeast(env.kernel, 5, 8), `Linux ${env.kernel}${kernelAtLeast(env.kernel, 5, 8) ? '' : ' (BPF ring buffers need 5.8 or newer)'}`,
    'upgrade to Linux 5.8 or newer');
  const btf = env.exists('/sys/kernel/btf/vmlinux');
  add('BTF', btf, btf ? '/sys/kernel/btf/vmlinux present (CO-RE works)' : '/sys/kernel/btf/vmlinux missing',
    'use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels are)');
  const mounts = env.read('/proc/mounts') ?? '';
  const tracefs = / tracefs /.test(mounts) || env.exists('/sys/kernel/tracing/events');
  add('tracefs', tracefs, tracefs ? 'mounted (/sys/kernel/tracing)' : 'not mounted: tracepoints cannot be attached',
    'sudo mount -t tracefs tracefs /sys/kernel/tracing');
  const bpffs = / bpf /.test(mounts);
  add('bpffs', bpffs, bpffs ? 'mounted (/sys/fs/bpf)' : 'not mounted (optional: bpftool and pinning use it)', 'sudo mount -t bpf bpf /sys/fs/bpf');

  const { userPriv, userCheck, probeChecks } = privilegeChecks(env);
  checks.push(userCheck, ...probeChecks);

  const features = userPriv ? env.bpftoolFeatures() : undefined;
  const probeOk = probeChecks.length > 1 && probeChecks[1].ok;
  const probePath = probeChecks[0].ok ? probeChecks[0].detail : undefined;
  if (probeOk && probePath && env.hookCheck) {
    checks.push(...triedHooks(parseHookCheck(env.hookCheck(probePath)), env.euid === 0, tracefs));
    return checks.concat(unusedHooks(env, features));
  }
  const tp = feature(features, 'program_type tracepoint') ?? (env.exists('/sys/bus/event_source/devices/tracepoint'));
  add('tracepoints', tp && tracefs, tp ? (tracefs ? 'available (used for syscalls, sched, sock events)' : 'available once tracefs is mounted') : 'unavailable',
    tracefs ? 'use a kernel with CONFIG_TRACEPOINTS and CONFIG_BPF_EVENTS' : 'sudo mount -t tracefs tracefs /sys/kernel/tracing');
  const rawtp = feature(features, 'program_type raw_tracepoint') ?? tp;
  add('raw tracepoints', rawtp, rawtp ? 'available (used for the hot sys_enter/sys_exit hooks)' : 'unavailable', 'use a kernel with CONFIG_BPF_EVENTS');
  const uprobe = env.exists('/sys/bus/event_source/devices/uprobe');
  add('uprobes', uprobe, uprobe ? 'available (used for DNS names via getaddrinfo)' : 'unavailable: DNS names will be missing', 'use a kernel with CONFIG_UPROBE_EVENTS=y');
  const ringbuf = feature(features, 'map_type ringbuf') ?? kernelAtLeast(env.kernel, 5, 8);
  add('ring buffer', ringbuf, ringbuf ? 'available' : 'unavailable', 'upgrade to Linux 5.8 or newer');
  return checks.concat(unusedHooks(env, features));
}

/** What each hook type is for, and the fix when the probe could not use it. */
const HOOKS: Array<{ hook: string; name: string; use: string; fix: (root: boolean, errno: string) => string }> = [
  { hook: 'load', name: 'ring buffer', use: 'with a ring buffer and task storage', fix: () => 'upgrade to Linux 5.11 or newer (task storage for tracing programs)' },
  { hook: 'tracepoint', name: 'tracepoints', use: 'used for syscalls, sched, sock events',
    fix: (_root, errno) => errno === 'E2BIG' ? 'end other eBPF tracing sessions (64 programs per tracepoint, machine-wide)' : 'use a kernel with CONFIG_TRACEPOINTS and CONFIG_BPF_EVENTS' },
  { hook: 'raw_tracepoint', name: 'raw tracepoints', use: 'used for the hot sys_enter/sys_exit hooks', fix: () => 'use a kernel with CONFIG_BPF_EVENTS' },
  { hook: 'uprobe', name: 'uprobes', use: 'used for DNS names via getaddrinfo',
    fix: (root) => root ? 'use a kernel with CONFIG_UPROBE_EVENTS=y' : 'run the agent as root (sudo) for dns events: the other event groups work with the probe\'s file capabilities' },
  { hook: 'code_mappings', name: 'code mappings', use: 'with the task VMA iterator: --stacks records code mappings as they are made, for processes that exit early',
    fix: () => 'upgrade to Linux 6.7 or newer (task VMA iterator); without it --stacks unwinds a process only while its /proc/PID/maps can be read' },
];
/** Hook checks that only load their test program. */
const LOAD_ONLY = new Set(['load', 'code_mappings']);

/** The hook checks from what the probe itself could load and attach, in this mode. */
function triedHooks(results: Map<string, HookResult>, root: boolean, tracefs: boolean): DoctorCheck[] {
  const mode = root ? 'as root' : 'with the probe\'s file capabilities';
  return HOOKS.map(({ hook, name, use, fix }) => {
    const r = results.get(hook) ?? (results.get('load')?.ok === false ? results.get('load') : undefined);
    if (!r) return { name, ok: false, detail: 'not tried: lens-probe --check-hooks gave no answer for it', fix: 'run lens-probe --check-hooks to see its error' };
    if (r.ok) return { name, ok: true, detail: `works ${mode}: the probe ${LOAD_ONLY.has(hook) ? 'loaded' : 'attached'} a test program (${use})` };
    const f = !tracefs && hook === 'tracepoint' ? 'sudo mount -t tracefs tracefs /sys/kernel/tracing' : fix(root, r.errno);
    return { name, ok: false, detail: `fails ${mode} (${r.errno}): ${r.detail}`, fix: f };
  });
}

/** kprobes and fentry/fexit: reported for the record, never needed. */
function unusedHooks(env: DoctorEnv, features: string | undefined): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const kprobes = env.exists('/sys/bus/event_source/devices/kprobe');
  add('kprobes', true, kprobes ? 'available (not needed by Runtime Lens)'
    : 'unavailable (CONFIG_KPROBES is off) — Runtime Lens does not need them: it uses tracepoints, raw tracepoints and uprobes');
  const fentry = feature(features, 'program_type tracing');
  add('fentry/fexit', true, fentry === undefined ? `unknown (needs privileges and bpftool to probe) — Runtime Lens does not need them`
    : fentry ? 'available (not needed by Runtime Lens)'
      : 'unavailable (BPF tracing programs cannot load here) — Runtime Lens does not need them: it uses tracepoints, raw tracepoints and uprobes');
  return checks;
}
