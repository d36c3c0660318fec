/*
 * doctor on Windows: eBPF for Windows (ebpfcore, netebpfext) and ntosebpfext
 * installed and running, the programs and reader present, the user an
 * administrator; each missing thing says what to install or run.
 */
import type { DoctorCheck } from '../../protocol';
import { isAdministrator, serviceState, type ServiceState } from './services';

const SERVICES = [
  { name: 'ebpfcore', what: 'eBPF for Windows', install: 'install eBPF for Windows 0.21 or newer (https://github.com/microsoft/ebpf-for-windows/releases)' },
  { name: 'netebpfext', what: 'eBPF for Windows network hooks (connect, accept, bind)', install: 'install eBPF for Windows (its MSI installs netebpfext)' },
  { name: 'ntosebpfext', what: 'ntosebpfext (process create/exit hook)', install: 'install ntosebpfext (https://github.com/microsoft/ntosebpfext): sc create ntosebpfext type=kernel start=demand binPath=ntosebpfext.sys' },
] as const;

/** One service's check from its state. */
export function serviceCheck(s: (typeof SERVICES)[number], state: ServiceState): DoctorCheck {
  if (state === 'running') return { name: s.name, ok: true, detail: `${s.what}: service ${s.name} runs` };
  if (state === 'stopped') return { name: s.name, ok: false, detail: `${s.what}: service ${s.name} is installed but not running`, fix: `sc start ${s.name} (as Administrator)` };
  return { name: s.name, ok: false, detail: `${s.what}: service ${s.name} is not installed`, fix: s.install };
}

export function adminCheck(admin: boolean): DoctorCheck {
  return admin
    ? { name: 'administrator', ok: true, detail: 'the agent runs elevated (loading eBPF programs needs it)' }
    : { name: 'administrator', ok: false, detail: 'the agent does not run as Administrator: netsh cannot load the programs', fix: 'run VS Code as Administrator (right-click, "Run as administrator")' };
}

export async function runWindowsDoctor(probe: { path: string } | { error: string }): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const s of SERVICES) checks.push(serviceCheck(s, await serviceState(s.name)));
  checks.push(adminCheck(await isAdministrator()));
  checks.push('path' in probe
    ? { name: 'probe', ok: true, detail: `lens-probe.exe at ${probe.path}` }
    : { name: 'probe', ok: false, detail: probe.error, fix: 'reinstall the win32-x64 build of the extension' });
  return checks;
}

export { SERVICES };
