// The agent's Windows backend (remote-agent/src/backend/windows): netsh output
// read as eBPF for Windows documents it, doctor's service and elevation checks,
// Win32_Process host facts, and the probe: lens-probe.exe spawned by the
// backend (under wine64 here, the stand-in ebpfapi.dll serving records), its
// packets turned by the pipeline into the same event JSON as the same records
// give on Linux. netsh, sc and PowerShell never run here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { linuxHostFacts } from '../../../remote-agent/src/backend/linux/host-facts';
import { adminCheck, SERVICES, serviceCheck } from '../../../remote-agent/src/backend/windows/doctor-checks';
import { parseProcessSnapshot, windowsHostFacts } from '../../../remote-agent/src/backend/windows/host-facts';
import { addProgramArgs, deleteProgramArgs, loadPrograms, parseAddProgram } from '../../../remote-agent/src/backend/windows/netsh';
import { windowsBackend } from '../../../remote-agent/src/backend/windows';
import { parseScQuery } from '../../../remote-agent/src/backend/windows/services';
import type { HostFacts, ProbeListener } from '../../../remote-agent/src/backend/backend';
import { PacketType } from '../../../remote-agent/src/decode/layout';
import { PacketSplitter } from '../../../remote-agent/src/decode/packets';
import { RecordDecoder } from '../../../remote-agent/src/decode/records';
import { Enricher } from '../../../remote-agent/src/enrich/enricher';
import { eventSink } from '../../../remote-agent/src/pipeline/event-sink';
import { Pipeline } from '../../../remote-agent/src/pipeline/pipeline';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { startWine, stopWine, wineEnv, wineTool, winCreate, winExit, winSock } from '../../helpers/windows-reader';

describe('Windows backend: netsh', function () {
  it('the commands: add program with its maps pinned by name, delete by id', function () {
    assert.deepEqual(addProgramArgs('C:\\lens\\process.o'), ['ebpf', 'add', 'program', 'filename=C:\\lens\\process.o', 'pinned=all']);
    assert.deepEqual(deleteProgramArgs(7), ['ebpf', 'delete', 'program', 'id=7']);
  });

  it('success: "Loaded with ID N" for each program of the object', function () {
    assert.deepEqual(parseAddProgram('\r\nLoaded with ID 65537\r\n', 0), { state: 'loaded', ids: [65537] });
    assert.deepEqual(parseAddProgram('Loaded with ID 12\r\nLoaded with ID 13\r\n', 0), { state: 'loaded', ids: [12, 13] });
  });

  it('already loaded (the pin exists): the programs loaded before are used', function () {
    assert.deepEqual(parseAddProgram('error 183: could not pin program\r\n', 1), { state: 'already-loaded' });
  });

  it('access denied: says to run elevated', function () {
    const r = parseAddProgram('Access is denied.\r\n', 1);
    assert.equal(r.state === 'failed' && r.reason, 'access-denied');
    assert.match(r.state === 'failed' ? r.fix : '', /as Administrator/);
  });

  it('not installed (netsh has no ebpf context, or no netsh): says what to install', function () {
    for (const out of ['The following command was not found: ebpf add program filename=process.o pinned=all.\r\n', 'ENOENT: netsh not found']) {
      const r = parseAddProgram(out, 1);
      assert.equal(r.state === 'failed' && r.reason, 'not-installed', out);
      assert.match(r.state === 'failed' ? r.fix : '', /install eBPF for Windows/);
    }
  });

  it('another failure keeps netsh\'s words', function () {
    const r = parseAddProgram('error 1275: could not load program\r\n', 1);
    assert.equal(r.state === 'failed' && r.reason, 'error');
    assert.match(r.state === 'failed' ? r.message : '', /error 1275: could not load program/);
  });

  it('loading on a host without netsh fails as not installed (netsh really run and not found)', async function () {
    const r = await loadPrograms(['process.o'], '/nonexistent/netsh.exe');
    assert.equal('state' in r && r.reason, 'not-installed');
  });
});

describe('Windows backend: doctor and host facts', function () {
  it('sc query: running, stopped, not installed (1060)', function () {
    assert.equal(parseScQuery('SERVICE_NAME: ebpfcore\r\n        TYPE               : 1  KERNEL_DRIVER\r\n        STATE              : 4  RUNNING\r\n'), 'running');
    assert.equal(parseScQuery('SERVICE_NAME: ntosebpfext\r\n        STATE              : 1  STOPPED\r\n'), 'stopped');
    assert.equal(parseScQuery('[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n'), 'missing');
  });

  it('each missing piece says what to install or run', function () {
    const ntos = SERVICES.find((s) => s.name === 'ntosebpfext')!;
    assert.match(serviceCheck(ntos, 'missing').fix!, /install ntosebpfext/);
    assert.equal(serviceCheck(ntos, 'stopped').fix, 'sc start ntosebpfext (as Administrator)');
    assert.equal(serviceCheck(ntos, 'running').ok, true);
    assert.match(adminCheck(false).fix!, /Run as administrator/);
  });

  it('Win32_Process snapshot: parents, command lines (redacted in the list), creation times, owners', function () {
    const json = JSON.stringify([
      { ProcessId: 4242, ParentProcessId: 600, Name: 'pwsh.exe', CommandLine: 'pwsh.exe -Command curl --password hunter2', ExecutablePath: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', CreationDate: '2026-12-01T10:00:00.0000000Z', Owner: 'HOST\\dev' },
    ]);
    assert.equal(parseProcessSnapshot(JSON.stringify({ ProcessId: 1, ParentProcessId: 0, Name: 'x', CommandLine: null, ExecutablePath: null, CreationDate: null })).length, 1);
    const host = windowsHostFacts(() => json);
    assert.deepEqual(host.process(4242), { pid: 4242, ppid: 600, comm: 'pwsh.exe', state: 'R', startNs: Date.parse('2026-12-01T10:00:00Z') * 1e6 });
    assert.equal(host.exe(4242), 'C:\\Program Files\\PowerShell\\7\\pwsh.exe');
    const [row] = host.list();
    assert.equal(row.user, 'HOST\\dev');
    assert.doesNotMatch(row.cmdline, /hunter2/);
    assert.equal(host.process(1), undefined);
  });
});

describe('Windows backend: the probe (lens-probe.exe under wine, stand-in ebpfapi.dll)', function () {
  this.timeout(120000);
  let dir: string;
  before(function () { this.timeout(180000); ({ dir } = startWine()); });
  after(() => stopWine());

  function eventsOf(records: Buffer[], host: HostFacts): LensEvent[] {
    const decoder = new RecordDecoder();
    const seen: LensEvent[] = [];
    const pipeline = new Pipeline({ enricher: new Enricher({ arch: 'x86_64', realtimeOffsetNs: 0, redact: true }), host }, decoder, [eventSink((e) => seen.push(...e))]);
    for (const r of records) decoder.visit(r, 0, r.length, pipeline);
    pipeline.flush();
    return seen;
  }

  it('the backend spawns the reader; its packets give the same event JSON as the same records on Linux', async function () {
    const t = { pid: 5004, ppid: 4242, startNs: 1_764_583_200_000_000_000 };
    const input = [
      ...winCreate({ ...t, parentStartNs: 1_764_583_100_000_000_000, image: 'C:\\Windows\\System32\\curl.exe', cmdline: 'curl.exe http://10.0.0.7/' }),
      winSock(15, { ...t, local: ['10.0.0.2', 50001], remote: ['10.0.0.7', 80] }),
      winSock(17, { ...t, local: ['0.0.0.0', 8080] }),
      winSock(16, { ...t, local: ['10.0.0.2', 8080], remote: ['10.0.0.9', 40001] }),
      winExit({ ...t, code: 2 }),
    ];
    const recordsFile = path.join(dir, 'backend-records.bin');
    (await import('node:fs')).writeFileSync(recordsFile, Buffer.concat(input));
    const saved = { ...process.env };
    Object.assign(process.env, wineEnv(), { LENS_STANDIN_RECORDS: recordsFile });
    const backend = windowsBackend({ runner: wineTool('wine64'), preloaded: true, snapshot: () => '[]' });
    const payloads: Buffer[] = [];
    let stderr = '';
    const splitter = new PacketSplitter((type, buf, start, end) => { if (type === PacketType.RECORDS) payloads.push(Buffer.from(buf.subarray(start, end))); });
    let wait: NodeJS.Timeout | undefined;
    const exited = new Promise<{ code?: number }>((resolve) => {
      const listener: ProbeListener = {
        packets: (c) => splitter.push(c), diagnostics: (c) => { stderr += c.toString(); }, targetOutput: () => {}, packetsEnded: () => {},
        exited: (info) => { clearInterval(wait); resolve(info); },
      };
      void backend.probe.start(path.join(dir, 'lens-probe.exe'), { target: { kind: 'attach', pid: 4242 } as never, events: ['exec', 'net'], statsMs: 0 }, listener).then((control) => {
        wait = setInterval(() => {
          if (Buffer.concat(payloads).length >= Buffer.concat(input).length) { clearInterval(wait); control.stop(); }
        }, 20);
      });
    });
    try {
      assert.equal((await exited).code, 0, stderr);
    } finally {
      process.env = saved;
    }
    const windows = eventsOf(payloads, backend.host);
    const linux = eventsOf(input, linuxHostFacts('/nonexistent-proc'));
    assert.deepEqual(windows.map((e) => e.kind), ['fork', 'exec', 'connect', 'bind', 'accept', 'exit']);
    assert.deepEqual(windows, linux);
  });
});
