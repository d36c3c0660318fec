// Gate for tests that load real eBPF programs: they skip on a machine where eBPF
// cannot be used, except under LENS_REQUIRE_BPF=1 (CI), where that is a failure.
import { existsSync, readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** Why eBPF cannot be used by this process, or null when it can. */
export function bpfUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `eBPF tracing needs Linux (this is ${process.platform})`;
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux is missing)';
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = BigInt('0x' + (/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'));
  const has = (cap: bigint): boolean => ((capEff >> cap) & 1n) === 1n;
  if (!(has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON)))) {
    return `this process (uid ${process.getuid?.()}) lacks CAP_BPF + CAP_PERFMON: run the tests as root`;
  }
  return null;
}

/** True when LENS_REQUIRE_BPF=1: a test that cannot use eBPF must fail, not skip. */
export function bpfRequired(): boolean {
  return process.env.LENS_REQUIRE_BPF === '1';
}

/**
 * Call first in a test or `before` hook that needs eBPF (`requireBpf(this)`):
 * skips it when eBPF is unusable here, but throws when LENS_REQUIRE_BPF=1.
 */
export function requireBpf(ctx: Mocha.Context): void {
  const reason = bpfUnavailableReason();
  if (reason === null) return;
  if (bpfRequired()) throw new Error(`eBPF is required (LENS_REQUIRE_BPF=1) but unusable: ${reason}`);
  ctx.skip();
}
