// `runtime-lens trace` argument parsing, the summary line, and the syscount table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EventCounts, summaryLine } from '../../../remote-agent/src/output/counts';
import { histPercentile } from '../../../remote-agent/src/output/histogram';
import { syscountTable } from '../../../remote-agent/src/output/syscount-table';
import { parseTraceArgs, TRACE_USAGE } from '../../../remote-agent/src/trace/trace-command';
import { REPO_ROOT } from '../../helpers/paths';

describe('trace arguments', function () {
  it('defaults: human output, default groups, redaction on', function () {
    assert.deepEqual(parseTraceArgs(['--', 'ls', '-l']), { json: false, events: ['exec', 'file', 'net', 'dns'], redact: true, command: ['ls', '-l'], rules: [], defaultRules: true, sshOptions: [] });
  });
  it('options, including --opt=value forms; arguments after -- belong to the command', function () {
    const a = parseTraceArgs(['--json', '--events=exec,net', '--syscalls', 'read,write', '--ringbuf-bytes', '65536', '--no-redact', '--', 'x', '--json']);
    assert.deepEqual(a, { json: true, events: ['exec', 'net', 'syscall'], syscalls: ['read', 'write'], ringbufBytes: 65536, redact: false, command: ['x', '--json'], rules: [], defaultRules: true, sshOptions: [] });
    assert.deepEqual(parseTraceArgs(['--rules', 'a.yaml', '--rules=b.yaml', '--no-default-rules', '--fail-on', 'WARNING', '--sarif', 'o.sarif', '--', 'x']),
      { json: false, events: ['exec', 'file', 'net', 'dns'], redact: true, command: ['x'], rules: ['a.yaml', 'b.yaml'], defaultRules: false, failOn: 'warning', sarif: 'o.sarif', sshOptions: [] });
    assert.deepEqual(parseTraceArgs(['--pid', '42']).pid, 42);
  });
  it('mistakes are named', function () {
    const cases: Array<[string[], RegExp]> = [
      [['--events', 'exec,bogus', '--', 'ls'], /--events: unknown group bogus; choose from exec,file,net,dns,syscall,syscount/],
      [['--fail-on', 'severe', '--', 'ls'], /--fail-on: 'severe' is not a priority; choose from emergency, alert, critical, error, warning, notice, informational, debug/],
      [['--no-default-rules', '--sarif', 'o', '--', 'ls'], /--sarif needs rules: give --rules FILE or leave the default rules on/],
      [['--ringbuf-bytes', '1000', '--', 'ls'], /--ringbuf-bytes: '1000' must be a power of two >= 4096/],
      [['--pid', 'abc'], /--pid: 'abc' is not a process id/],
      [['--pid', '1', '--', 'ls'], /either --pid PID or -- COMMAND, not both/],
      [[], /nothing to trace/],
      [['ls'], /unknown option 'ls' \(put the command after --\)/],
      [['--frobnicate', '--', 'ls'], /unknown option '--frobnicate'/],
      [['--stacks', '--stack-bytes', '8', '--', 'ls'], /--stack-bytes: '8' must be a number of bytes from 64 to 16384/],
      [['--stack-bytes', '4096', '--', 'ls'], /--stack-bytes needs --stacks/],
    ];
    assert.deepEqual(parseTraceArgs(['--stacks', '--stack-bytes=4096', '--', 'ls']).stackBytes, 4096);
    for (const [argv, re] of cases) assert.throws(() => parseTraceArgs(argv), re, argv.join(' '));
  });
});

describe('summary and syscount output', function () {
  it('the summary always carries lost=N', function () {
    const c = new EventCounts();
    assert.equal(summaryLine(c, 0), 'runtime-lens: 0 events lost=0');
    c.add([{ kind: 'exec' }, { kind: 'open' }, { kind: 'open' }] as never);
    assert.equal(summaryLine(c, 7, ['malformed=1']), 'runtime-lens: 3 events (exec=1 open=2) lost=7 malformed=1');
  });
  it('the summary says why events were lost', function () {
    const c = new EventCounts();
    assert.equal(summaryLine(c, 7, [], undefined, { buffers_full: 7 }), 'runtime-lens: 0 events lost=7 (buffers full 7)');
    assert.equal(summaryLine(c, 9, [], undefined, { buffers_full: 2, client_not_reading: 7 }), 'runtime-lens: 0 events lost=9 (buffers full 2, client not reading 7)');
    assert.equal(summaryLine(c, 0, [], undefined, {}), 'runtime-lens: 0 events lost=0');
    assert.equal(summaryLine(c, 9, [], undefined, { buffers_full: 9 }, { rename: 7, open: 2 }), 'runtime-lens: 0 events lost=9 (rename 7, open 2; buffers full 9)');
  });
  it('histogram percentiles are bucket upper bounds', function () {
    const hist = new Array(32).fill(0);
    hist[3] = 90; // [8, 16) ns
    hist[10] = 10; // [1024, 2048) ns
    assert.equal(histPercentile(hist, 100, 0.5), 16);
    assert.equal(histPercentile(hist, 100, 0.95), 2048);
    assert.equal(histPercentile(hist, 0, 0.5), 0);
    assert.equal(histPercentile(hist, 100, 0.95, 1500), 1500, 'never above the largest latency seen');
  });
  it('the syscount table sums processes per syscall, busiest first', function () {
    const row = (pid: number, name: string, count: number, total: number) => ({ pid, key: `${pid}:1`, comm: '', name, nr: 0, count, errors: 1, total_ns: total, max_ns: total, p50_ns: 0, p95_ns: 0, p99_ns: 0 });
    const lines = syscountTable([row(1, 'read', 2, 1e6), row(2, 'read', 3, 2e6), row(1, 'openat', 1, 5e6)]).trim().split('\n');
    assert.match(lines[1], /^ 62\.50 +5\.000 +1 +1 .* openat$/);
    assert.match(lines[2], /^ 37\.50 +3\.000 +5 +2 .* read$/);
  });
});

describe('runtime-lens command line', function () {
  const cli = path.resolve(__dirname, '../../../remote-agent/src/cli.ts');
  const run = (...args: string[]) => {
    try {
      return { code: 0, out: execFileSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { code: err.status, out: err.stdout + err.stderr };
    }
  };
  it('--version, --help, and a usage error exits 2 with the usage', function () {
    this.timeout(30000);
    assert.match(run('--version').out, /^\d+\.\d+\.\d+\n$/);
    const help = run('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /runtime-lens trace \[--json\]/);
    assert.match(help.out, /runtime-lens agent --stdio/);
    assert.match(help.out, /runtime-lens doctor/);
    const bad = run('trace', '--bogus');
    assert.equal(bad.code, 2);
    assert.match(bad.out, /unknown option '--bogus'/);
  });
  it('--help offers --stacks with its cost and --stack-bytes with the kernel\'s bounds, and gives the probe\'s own ring buffer default', function () {
    this.timeout(30000);
    const help = run('--help').out;
    assert.match(TRACE_USAGE, /\[--stacks \[--stack-bytes N\]\]/, 'in the usage synopsis');
    assert.doesNotMatch(help, /not available/);
    assert.match(help, /--stacks {10}exec, file, net and dns events carry the stack[^]*Cost: ~8 KiB copied/);
    // the bounds and default are defined once, in events.h
    const events = readFileSync(path.join(REPO_ROOT, 'bpf/linux/events.h'), 'utf8');
    const def = (name: string) => /#define (\w+) (\d+)/.exec(events.split('\n').find((l) => l.startsWith(`#define ${name} `)) ?? '')?.[2];
    assert.match(help, new RegExp(`--stack-bytes N .*\\(${def('LENS_STACK_MIN')}\\.\\.${def('LENS_STACK_MAX')}, default ${def('LENS_STACK_DEFAULT')}\\)`));
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    assert.doesNotMatch(readme, /--stacks[^\n]*not available/);
    // The default is defined once, in args_helpers.h; the help and the README repeat that value.
    const probe = readFileSync(path.join(REPO_ROOT, 'bpf/linux/args_helpers.h'), 'utf8');
    const m = /#define LENS_DEFAULT_RINGBUF \((\d+)u << 20\)/.exec(probe);
    assert.ok(m, 'LENS_DEFAULT_RINGBUF in args_helpers.h');
    assert.match(help, new RegExp(`--ringbuf-bytes N .*default ${m[1]} MiB`));
    assert.match(readme, new RegExp(`default ${m[1]} MiB`));
    assert.doesNotMatch(readme, new RegExp(`default (?!${m[1]} )\\d+ MiB`));
  });
});

describe('README.md', function () {
  it('names only test folders that exist', function () {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const named = [...new Set([...readme.matchAll(/`(test\/[a-z0-9_-]+)`/g)].map((x) => x[1]))];
    assert.ok(named.length >= 3, named.join(' '));
    assert.deepEqual(named.filter((d) => !existsSync(path.join(REPO_ROOT, d))), []);
  });
});
