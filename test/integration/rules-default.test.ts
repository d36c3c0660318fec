// The developer ruleset with the real probe: every default rule fires on a fixture that does what
// it is about (test/fixtures/rules/actions.sh, in a fake home with fake keys and tokens) and stays
// quiet on a near miss of it; the finding follows its event in the NDJSON stream and carries it.
// Two traces: one runs every trigger, the other every near miss.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ExecEvent, FindingEvent, LensEvent, PtraceEvent } from '../../remote-agent/src/protocol';
import { REDACTED } from '../../remote-agent/src/redact/redact';
import { compileRules } from '../../remote-agent/src/rules/compile';
import { requireBpf } from '../helpers/bpf';
import { scratchDir, scriptFixture } from '../helpers/fixtures';
import { trace, type CliResult } from '../helpers/trace';

const ACTIONS = scriptFixture('rules/actions.sh');

/** rule → the action that triggers it, the near miss that must not, and what the triggering event is. */
const CASES: [rule: string, trigger: string, miss: string, event: (e: LensEvent, dirs: Dirs) => boolean][] = [
  ['Read of SSH private key', 'ssh-key', 'ssh-key-pub', (e, d) => e.kind === 'open' && e.path === `${d.home}/.ssh/id_rsa`],
  ['Read of cloud credentials', 'cloud', 'cloud-config', (e, d) => e.kind === 'open' && e.path === `${d.home}/.aws/credentials`],
  ['Read of package registry or git token', 'token', 'token-npm', (e, d) => e.kind === 'open' && e.path === `${d.home}/.npmrc` && e.comm === 'cat'],
  ['Read of browser or keychain secrets', 'browser', 'browser-prefs', (e) => e.kind === 'open' && e.path.endsWith('/logins.json')],
  ['Read of .env file outside the project', 'env-outside', 'env-inside', (e, d) => e.kind === 'open' && e.path === `${d.home}/other-project/.env`],
  ['Read of shadow passwords', 'shadow', 'passwd', (e) => e.kind === 'open' && e.path === '/etc/shadow'],
  ['Shell spawned by an install script', 'install-shell', 'npm-test', (e) => e.kind === 'exec' && e.argv.join(' ') === '/bin/sh -c id; uname -a'],
  ['Install script connected to a host other than the registry', 'install-net', 'install-local', (e) => e.kind === 'connect' && e.daddr === '203.0.113.9' && e.dport === 8443],
  ['Executed a file written in the session', 'download-exec', 'exec-system', (e, d) => e.kind === 'exec' && e.filename === `${d.scratch}/dropped`],
  ['Persistence file written', 'persistence', 'notes', (e, d) => e.kind === 'open' && e.path === `${d.home}/.bashrc`],
  ['Write to sudoers', 'sudoers', 'sudoers-read', (e) => e.kind === 'open' && e.path === '/etc/sudoers'],
  ['Setuid or setgid bit set', 'setuid', 'chmod-plain', (e, d) => e.kind === 'chmod' && e.path === `${d.scratch}/tool` && e.mode === '04755'],
  ['Privilege change program run', 'su', 'id', (e) => e.kind === 'exec' && e.argv[0] === 'su'],
  ['Network server spawned a shell', 'server-shell', 'client-shell', (e) => e.kind === 'exec' && e.argv.join(' ') === '/bin/sh -c id > /dev/null'],
  ['Shell connected to the network', 'shell-connect', 'node-connect', (e, d) => e.kind === 'connect' && e.comm === 'bash' && e.dport === d.port],
  ['Reverse shell tool run', 'nc-exec', 'nc-scan', (e) => e.kind === 'exec' && e.argv.includes('-e')],
  ['Loader or runtime injection into a child', 'inject', 'env-plain', (e) => e.kind === 'exec' && e.filename === '/bin/true' && e.env?.LD_PRELOAD === '/nonexistent/lens-hook.so'],
  ['Listening on all interfaces', 'listen-all', 'listen-local', (e) => e.kind === 'listen' && e.saddr === '0.0.0.0'],
  ['Ptrace of another process', 'ptrace-attach', 'ptrace-debugger', (e) => e.kind === 'ptrace' && e.request === 'PTRACE_ATTACH' && e.target_comm === 'python3'],
  ['Connection to a mining pool port', 'miner', 'web', (e) => e.kind === 'connect' && e.dport === 3333],
];

/**
 * Findings a rule rightly makes on another rule's near miss: the network rule's near miss
 * (install-local) is an install script running node, which the install script rule flags.
 */
const ALSO_IN_MISSES: Record<string, string[]> = { 'Shell spawned by an install script': ['install-local'] };

interface Dirs { home: string; project: string; scratch: string; port: number }

/** A fake home with fake secrets, a project folder beside it, install fixtures copied where npm may write. */
function makeDirs(port: number): Dirs {
  const root = realpathSync(scratchDir('rules'));
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  const scratch = path.join(root, 'scratch');
  const files: Record<string, string> = {
    '.ssh/id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n', '.ssh/id_rsa.pub': 'ssh-ed25519 AAAA fake\n',
    '.aws/credentials': '[default]\naws_access_key_id = FAKE\n', '.aws/config': '[default]\nregion = eu-west-1\n',
    '.npmrc': 'fund=false\n', '.mozilla/firefox/lens.default/logins.json': '{}\n', '.mozilla/firefox/lens.default/prefs.js': '\n',
    'other-project/.env': 'TOKEN=fake\n', '.bashrc': '# fake\n',
  };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(home, f)), { recursive: true });
    writeFileSync(path.join(home, f), text);
  }
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, '.env'), 'LOCAL=1\n');
  mkdirSync(scratch, { recursive: true });
  for (const d of ['install-shell', 'npm-test', 'install-net', 'install-local']) cpSync(scriptFixture(`rules/${d}`), path.join(scratch, d), { recursive: true });
  return { home, project, scratch, port };
}

function findings(run: CliResult, rule: string): FindingEvent[] {
  return run.events.filter((e): e is FindingEvent => e.kind === 'finding' && e.rule === rule);
}

describe('rules: the developer ruleset on real programs', function () {
  this.timeout(180_000);
  let dirs: Dirs;
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let hits: CliResult;
  let misses: CliResult;

  before(async function () {
    requireBpf(this);
    // each connection is read to its end (a socket never read never sees the peer's FIN, and would keep mocha alive)
    server = net.createServer((s) => { sockets.add(s.on('error', () => {}).on('close', () => sockets.delete(s))); s.resume().end(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dirs = makeDirs((server.address() as net.AddressInfo).port);
    const run = (actions: string[]) => trace(['/bin/sh', ACTIONS, ...actions], [], {
      cwd: dirs.project, timeoutMs: 150_000,
      env: { HOME: dirs.home, SCRATCH: dirs.scratch, PORT: String(dirs.port), npm_config_cache: path.join(dirs.scratch, 'npm-cache') },
    });
    hits = await run(CASES.map(([, trigger]) => trigger));
    misses = await run(CASES.map(([, , miss]) => miss));
  });

  after(() => {
    for (const s of sockets) s.destroy();
    server?.close();
  });

  it('has a case for every default rule', () => {
    assert.deepEqual(CASES.map(([rule]) => rule).sort(), compileRules([]).compiled.map((r) => r.name).sort());
  });

  it('exec events carry the environment: every name, values only of the safe list (PATH, LD_PRELOAD, NODE_OPTIONS, HOME …)', () => {
    const exec = hits.events.find((e): e is ExecEvent => e.kind === 'exec' && e.env?.LD_PRELOAD === '/nonexistent/lens-hook.so');
    assert.ok(exec, 'the exec with LD_PRELOAD');
    assert.equal(exec.env!.HOME, dirs.home);
    assert.equal(exec.env!.PORT, REDACTED, 'a value outside the safe list is redacted, its name kept');
    assert.ok(exec.env!.PATH?.includes('/bin'));
  });

  it('ptrace events: the attach, the write into the child, and process_vm_writev, each with its target', () => {
    const ptraces = hits.events.filter((e): e is PtraceEvent => e.kind === 'ptrace' && e.comm === 'python3');
    const attach = ptraces.find((e) => e.request === 'PTRACE_ATTACH');
    assert.ok(attach, `the attach; ptrace events: ${JSON.stringify(ptraces)}`);
    for (const request of ['PTRACE_POKEDATA', 'process_vm_writev']) {
      const e = ptraces.find((x) => x.request === request);
      assert.ok(e, `${request}; ptrace events: ${JSON.stringify(ptraces)}`);
      assert.equal(e.target_pid, attach.target_pid);
      assert.equal(e.target_key, attach.target_key);
      assert.ok(e.ret >= 0 && e.errno === undefined, `${request} succeeded`);
      assert.ok(findings(hits, 'Ptrace of another process').some((f) => f.event.ts === e.ts && (f.event as PtraceEvent).request === request), `a finding on ${request}`);
    }
    assert.ok(attach.target_key?.startsWith(`${attach.target_pid}:`), 'the target is a traced process: its key');
  });

  it('an npm postinstall running `node install.js` (npm wraps it in sh -c) is an install script started interpreter; `npm test` running node is not', () => {
    const rule = 'Shell spawned by an install script';
    const node = findings(hits, rule).find((f) => f.event.kind === 'exec' && f.event.argv.join(' ') === 'node install.js');
    assert.ok(node, `no finding on the postinstall's node install.js; the rule's findings: ${JSON.stringify(findings(hits, rule).map((f) => f.event))}`);
    assert.match(node.output, /lifecycle=postinstall/);
    assert.ok(!findings(hits, rule).some((f) => f.event.kind === 'exec' && f.event.argv.slice(-2).join(' ') === '-c node install.js'), 'the sh -c npm wraps the script in is not a finding of its own');
    const npmTest = misses.events.find((e) => e.kind === 'exec' && e.argv.join(' ') === 'node test.js');
    assert.ok(npmTest, 'npm test ran its script');
  });

  for (const [rule, trigger, miss, isTrigger] of CASES) {
    it(`${rule}: fires on "${trigger}", not on "${miss}"`, () => {
      const found = findings(hits, rule).filter((f) => isTrigger(f.event, dirs));
      assert.ok(found.length > 0, `no '${rule}' finding on the event of ${trigger}; its findings: ${JSON.stringify(findings(hits, rule).map((f) => f.event))}\nstderr: ${hits.stderr.slice(-800)}`);
      const f = found[0];
      assert.equal(f.pid, f.event.pid);
      assert.equal(f.ts, f.event.ts);
      assert.ok(f.output.length > 10 && !f.output.includes('%'), f.output);
      // the finding follows its event in the stream
      const at = hits.events.indexOf(f);
      assert.ok(hits.events.slice(0, at).some((e) => e.kind === f.event.kind && e.ts === f.event.ts && e.pid === f.event.pid), 'its event came before it');
      assert.ok(misses.summary, `the near misses ran: ${misses.stderr.slice(-500)}`);
      const others = (ALSO_IN_MISSES[rule] ?? []).map((d) => `${dirs.scratch}/${d}`);
      const own = findings(misses, rule).filter((x) => !('cwd' in x.event && others.includes(x.event.cwd ?? '')));
      assert.deepEqual(own.map((x) => x.output), [], `'${rule}' must not fire on ${miss}`);
    });
  }
});
