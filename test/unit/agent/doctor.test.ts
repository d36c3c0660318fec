// doctor: what a kernel and user can do, with the exact fix for each missing thing (machine facts injected).
import assert from 'node:assert/strict';
import { runDoctor, systemDoctorEnv, type DoctorEnv } from '../../../remote-agent/src/backend/linux/doctor-checks';

function machine(over: Partial<DoctorEnv> & { files?: string[]; mounts?: string; capEff?: string } = {}): DoctorEnv {
  const files = new Set(over.files ?? ['/sys/kernel/btf/vmlinux', '/sys/kernel/tracing/events', '/sys/bus/event_source/devices/tracepoint', '/sys/bus/event_source/devices/uprobe']);
  return {
    kernel: '6.18.0',
    exists: (p) => files.has(p),
    read: (p) => (p === '/proc/mounts' ? over.mounts ?? 'tracefs /sys/kernel/tracing tracefs rw 0 0\nbpf /sys/fs/bpf bpf rw 0 0\n'
      : p === '/proc/self/status' ? `CapEff:\t${over.capEff ?? '000001ffffffffff'}\n` : undefined),
    bpftoolFeatures: () => 'eBPF program_type tracepoint is available\neBPF program_type raw_tracepoint is available\neBPF program_type tracing is NOT available\neBPF map_type ringbuf is available\n',
    getcap: () => '',
    probePath: () => ({ path: '/opt/lens-probe' }),
    euid: 0,
    ...over,
  };
}
const check = (env: DoctorEnv, name: string) => runDoctor(env).find((c) => c.name === name)!;

describe('doctor', function () {
  it('on a kernel without kprobes and fentry says so, and that Runtime Lens does not need them', function () {
    const env = machine();
    assert.match(check(env, 'kprobes').detail, /unavailable \(CONFIG_KPROBES is off\) — Runtime Lens does not need them/);
    assert.match(check(env, 'fentry/fexit').detail, /unavailable .* Runtime Lens does not need them/);
    assert.ok(runDoctor(env).every((c) => c.ok), JSON.stringify(runDoctor(env).filter((c) => !c.ok)));
  });
  it('gives the exact fix for tracefs, BTF and an unprivileged probe', function () {
    const env = machine({ mounts: '', files: ['/sys/bus/event_source/devices/uprobe'], euid: 1000, capEff: '0000000000000000' });
    assert.equal(check(env, 'tracefs').fix, 'sudo mount -t tracefs tracefs /sys/kernel/tracing');
    assert.match(check(env, 'BTF').fix!, /CONFIG_DEBUG_INFO_BTF=y/);
    const priv = check(env, 'probe privileges');
    assert.equal(priv.ok, false);
    assert.equal(priv.fix, 'sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep /opt/lens-probe   (or run with sudo)');
    const withCaps = machine({ euid: 1000, capEff: '0', getcap: () => '/opt/lens-probe cap_dac_read_search,cap_perfmon,cap_bpf=ep' });
    assert.equal(check(withCaps, 'probe privileges').ok, true);
  });
  it('says whether code mappings can be recorded (the task VMA iterator), and what --stacks does without', function () {
    const hooks = (mappings: string) => ['load', 'tracepoint', 'raw_tracepoint', 'uprobe'].map((h) => `hook\t${h}\tok\t\n`).join('') + mappings;
    const ok = check(machine({ hookCheck: () => hooks('hook\tcode_mappings\tok\t\n') }), 'code mappings');
    assert.deepEqual([ok.ok, ok.detail], [true, 'works as root: the probe loaded a test program (with the task VMA iterator: --stacks records code mappings as they are made, for processes that exit early)']);
    const old = check(machine({ kernel: '6.1.0', hookCheck: () => hooks('hook\tcode_mappings\tEINVAL\tcannot load the code-mapping programs: Invalid argument (the verifier log is on stderr)\n') }), 'code mappings');
    assert.equal(old.ok, false);
    assert.match(old.detail, /fails as root \(EINVAL\): cannot load the code-mapping programs/);
    assert.match(old.fix!, /Linux 6\.7 or newer .* only while its \/proc\/PID\/maps can be read/);
  });

  it('a missing probe says how to build it', function () {
    const env = machine({ probePath: () => ({ error: 'lens-probe not found' }) });
    assert.equal(check(env, 'probe').fix, 'make -C bpf/linux (or set LENS_PROBE=/path/to/lens-probe)');
  });
  it('runs on this machine and reports the kernel', function () {
    this.timeout(20000);
    const checks = runDoctor(systemDoctorEnv());
    assert.ok(checks.find((c) => c.name === 'kernel')!.detail.startsWith('Linux '));
  });
});
