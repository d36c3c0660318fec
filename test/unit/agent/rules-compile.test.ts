// Rule files in Falco's format: what compiles, what is reported where (file, line, column, what was
// expected, the closest field), Falco rules using fields we lack skipped one by one, and how the
// compiled checks judge events.
import assert from 'node:assert/strict';
import { compileRules, type CompiledRule } from '../../../remote-agent/src/rules/compile';
import { DEFAULT_RULES_PATH } from '../../../remote-agent/src/rules/default-rules';
import { EventFacts } from '../../../remote-agent/src/rules/event-facts';
import type { ExecEvent, LensEvent, OpenEvent, SockEvent } from '../../../remote-agent/src/protocol';

const base = { ts: 1_700_000_000_000, pid: 100, tid: 100, ppid: 1, uid: 1000, comm: 'cat', key: '100:1' };
const openEv = (path: string, flags = 'O_RDONLY', ret = 3, comm = 'cat'): OpenEvent => ({ ...base, comm, kind: 'open', syscall: 'openat', path, flags, ret });
const execEv = (argv: string[], comm = argv[0]): ExecEvent => ({ ...base, comm, kind: 'exec', filename: `/usr/bin/${argv[0]}`, argv, cwd: '/src', ret: 0 });
const connectEv = (daddr: string, dport: number, dns?: string): SockEvent => ({
  ...base, comm: 'node', kind: 'connect', family: 'AF_INET', saddr: '10.0.0.2', sport: 40000, daddr, dport, proto: 'tcp', fd: 5, ret: 0, ...(dns ? { dns } : {}),
});

const rule = (name: string, condition: string, extra = '') => `- rule: ${name}
  desc: test rule
  condition: ${condition}
  output: "%proc.name %fd.name"
  priority: WARNING
${extra}`;

function compileOne(text: string) {
  return compileRules([{ path: '/rules/test.yaml', text }], { defaults: false });
}

function judge(r: CompiledRule, ev: LensEvent): boolean {
  return r.match(new EventFacts().reset(ev));
}

describe('rules: compiling Falco rule files', () => {
  it('compiles the developer ruleset without a problem, every rule indexed by the event types it matches', () => {
    const r = compileRules([]);
    assert.deepEqual(r.errors, []);
    assert.ok(r.compiled.length >= 18, `${r.compiled.length} rules`);
    for (const c of r.compiled) {
      assert.equal(c.file, DEFAULT_RULES_PATH);
      assert.ok(c.types && c.types.size > 0, `${c.name} names its event types`);
      assert.ok(c.desc.length > 40, `${c.name} says why it matters`);
    }
  });

  it('names the file, line and column of an unknown field, and the closest field', () => {
    const text = rule('typo', 'evt.type = openat and proc.nmae = cat');
    const { errors, compiled } = compileOne(text);
    assert.equal(compiled.length, 0);
    assert.deepEqual(errors.map((e) => [e.file, e.line, e.column, e.severity, e.item]), [['/rules/test.yaml', 3, 36, 'error', 'typo']]);
    assert.match(errors[0].message, /unknown field 'proc\.nmae'; did you mean 'proc\.name'\?/);
  });

  it('says what was expected where a condition stops parsing, inside a folded multi-line condition', () => {
    const text = `- rule: unclosed
  desc: test rule
  condition: >
    evt.type = openat
      and (fd.name = /etc/passwd
      or fd.name = /etc/group
  output: "%fd.name"
  priority: WARNING
- rule: noop
  desc: test rule
  condition: evt.type = openat and fd.name startswith
  output: "%fd.name"
  priority: WARNING
`;
    const { errors } = compileOne(text);
    assert.equal(errors.length, 2);
    assert.match(errors[0].message, /expected '\)' or 'and'\/'or', found the end of the condition/);
    assert.deepEqual([errors[0].line, errors[0].column], [6, 30], 'just after the last token, on the last line of the folded text');
    assert.match(errors[1].message, /expected a value after 'startswith', found the end of the condition/);
    assert.equal(errors[1].line, 11);
  });

  it('reports a Falco rule file with fields Runtime Lens lacks rule by rule, and runs the rest', () => {
    const text = `- macro: container
  condition: container.id != host
- rule: Terminal shell in container
  desc: from Falco
  condition: evt.type = execve and container and proc.tty != 0
  output: "shell in %container.name"
  priority: NOTICE
- rule: K8s namespace read
  desc: from Falco
  condition: evt.type = openat and k8s.ns.name = kube-system
  output: "%fd.name"
  priority: NOTICE
- rule: Read sensitive file
  desc: from Falco
  condition: evt.type in (open, openat) and fd.name = /etc/shadow
  output: "%proc.name read %fd.name (container=%container.id)"
  priority: WARNING
`;
    const { errors, compiled } = compileOne(text);
    assert.deepEqual(compiled.map((c) => c.name), ['Read sensitive file']);
    const warnings = errors.filter((e) => e.severity === 'warning');
    assert.deepEqual(errors.filter((e) => e.severity === 'error'), []);
    assert.deepEqual(warnings.map((w) => [w.item, w.line]), [['Terminal shell in container', 5], ['K8s namespace read', 10], ['Read sensitive file', 16]]);
    assert.match(warnings[0].message, /rule 'Terminal shell in container' skipped: it uses container\.id, proc\.tty/);
    assert.match(warnings[1].message, /skipped: it uses k8s\.ns\.name/);
    assert.match(warnings[2].message, /output field '%container\.id' is not filled by Runtime Lens; it is shown as <NA>/);
    assert.equal(compiled[0].output(new EventFacts().reset(openEv('/etc/shadow'))), 'cat read /etc/shadow (container=<NA>)');
  });

  it('suggests the closest macro, and names a bad priority with the valid ones', () => {
    const text = `- macro: open_read
  condition: evt.type = openat
${rule('a', 'open_reed and fd.name = x')}- rule: b
  desc: d
  condition: open_read
  output: x
  priority: SEVERE
`;
    const { errors } = compileOne(text);
    assert.match(errors[0].message, /unknown macro 'open_reed'; did you mean 'open_read'\?/);
    assert.deepEqual([errors[0].line, errors[0].column], [5, 14]);
    assert.match(errors[1].message, /unknown priority 'SEVERE' of rule 'b'; expected one of emergency, alert, critical, error, warning, notice, informational, debug/);
  });

  it('expands lists (lists in lists too), appends to lists, macros and rules, and overrides keys', () => {
    const first = `- list: shells
  items: [sh, bash]
- list: all_shells
  items: [shells, zsh]
- macro: spawned
  condition: evt.type = execve
${rule('shell', 'spawned and proc.name in (all_shells)')}`;
    const second = `- list: shells
  items: [dash]
  append: true
- rule: shell
  condition: and not proc.pname = make
  override:
    condition: append
- rule: shell
  priority: CRITICAL
  override:
    priority: replace
`;
    const r = compileRules([{ path: '/a.yaml', text: first }, { path: '/b.yaml', text: second }], { defaults: false });
    assert.deepEqual(r.errors, []);
    const shell = r.compiled[0];
    assert.equal(shell.priority, 'critical');
    assert.ok(judge(shell, execEv(['dash'])));
    assert.ok(judge(shell, execEv(['zsh'])));
    assert.ok(!judge(shell, execEv(['fish'])));
    assert.ok(!judge(shell, openEv('/bin/sh', 'O_RDONLY', 3, 'sh')), 'only execve');
  });

  it('turns exceptions into "and not" of their rows', () => {
    const text = rule('cred', 'evt.type = openat and fd.name startswith /home', `  exceptions:
    - name: ssh_reads_keys
      fields: [proc.name, fd.directory]
      comps: [=, endswith]
      values:
        - [ssh, /.ssh]
    - name: editors
      fields: proc.name
      comps: in
      values: [vim, nano]
`);
    const { errors, compiled } = compileOne(text);
    assert.deepEqual(errors, []);
    const [c] = compiled;
    assert.ok(judge(c, openEv('/home/u/.ssh/id_rsa')));
    assert.ok(!judge(c, openEv('/home/u/.ssh/id_rsa', 'O_RDONLY', 3, 'ssh')));
    assert.ok(judge(c, openEv('/home/u/notes', 'O_RDONLY', 3, 'ssh')));
    assert.ok(!judge(c, openEv('/home/u/notes', 'O_RDONLY', 3, 'vim')));
  });

  it('judges with every operator', () => {
    const cases: [string, LensEvent, boolean][] = [
      ['fd.name = /etc/passwd', openEv('/etc/passwd'), true],
      ['fd.name != /etc/passwd', openEv('/etc/passwd'), false],
      ['fd.name contains ssh', openEv('/home/u/.ssh/x'), true],
      ['fd.name icontains SSH', openEv('/home/u/.ssh/x'), true],
      ['fd.name startswith /home', openEv('/home/u/.ssh/x'), true],
      ['fd.name endswith .pub', openEv('/home/u/.ssh/id.pub'), true],
      ['fd.name glob "/home/*/.ssh/id_*"', openEv('/home/u/.ssh/id_rsa'), true],
      ['fd.name glob "/home/*/.ssh/id_[a-q]*"', openEv('/home/u/.ssh/id_rsa'), false],
      ['fd.name pmatch (/etc, /var/lib)', openEv('/var/lib/x'), true],
      ['fd.name pmatch (/etc, /var/lib)', openEv('/var/library'), false],
      ['fd.name regex "^/etc/(passwd|group)$"', openEv('/etc/group'), true],
      ['fd.directory = /home/u/.ssh and fd.filename = id_rsa', openEv('/home/u/.ssh/id_rsa'), true],
      ['evt.is_open_write = true', openEv('/tmp/x', 'O_WRONLY|O_CREAT'), true],
      ['evt.is_open_read = true', openEv('/tmp/x', 'O_WRONLY|O_CREAT'), false],
      ['evt.res = ENOENT', { ...openEv('/nope', 'O_RDONLY', -2), errno: 'ENOENT' }, true],
      ['evt.res = SUCCESS', openEv('/etc/passwd'), true],
      ['fd.num >= 3 and fd.num < 4', openEv('/etc/passwd'), true],
      ['fd.rport in (4444, 3333) and fd.sip = 203.0.113.9', connectEv('203.0.113.9', 4444), true],
      ['fd.sip.name = evil.example', connectEv('203.0.113.9', 443, 'evil.example'), true],
      ['fd.name = "10.0.0.2:40000->203.0.113.9:443"', connectEv('203.0.113.9', 443), true],
      ['fd.typechar = 4 and fd.l4proto = tcp and fd.type = ipv4', connectEv('203.0.113.9', 443), true],
      ['fd.sip.name exists', connectEv('203.0.113.9', 443), false],
      ['proc.cmdline = "curl -s http://x"', execEv(['curl', '-s', 'http://x']), true],
      ['proc.args contains -s and proc.cmdnargs = 2', execEv(['curl', '-s', 'http://x']), true],
      ['proc.exepath = /usr/bin/curl and proc.exe = curl', execEv(['curl']), true],
      ['not (proc.name = curl or proc.name = wget)', execEv(['curl']), false],
    ];
    for (const [cond, ev, want] of cases) {
      const { errors, compiled } = compileOne(rule('t', JSON.stringify(cond)));
      assert.deepEqual(errors, [], cond);
      assert.equal(judge(compiled[0], ev), want, cond);
    }
  });

  it('reads ancestors from the process table: proc.pname, proc.aname[N], any ancestor', () => {
    const entries = [
      { pid: 100, startNs: 1, ppid: 50, uid: 0, comm: 'sh', argv: ['sh', '-c', 'id'], exited: false },
      { pid: 50, startNs: 1, ppid: 10, uid: 0, comm: 'node', argv: ['node', 'install.js'], cwd: '/p/node_modules/x', exited: false },
      { pid: 10, startNs: 1, ppid: 1, uid: 0, comm: 'npm', argv: ['npm', 'install'], cwd: '/p', exited: false },
    ];
    const facts = new EventFacts({ get: (pid) => entries.find((e) => e.pid === pid), ancestry: () => entries });
    const { compiled, errors } = compileOne(rule('a', '"evt.type = execve and proc.pname = node and proc.aname[2] = npm and proc.aname = npm and proc.acmdline contains \\"npm install\\""'));
    assert.deepEqual(errors, []);
    assert.ok(compiled[0].match(facts.reset({ ...execEv(['sh', '-c', 'id'], 'sh'), ppid: 50 })));
    const envRule = compileOne(rule('b', 'fd.in_project = true')).compiled[0];
    assert.ok(envRule.match(facts.reset(openEv('/p/.env'))), 'under an ancestor\'s working directory');
    assert.ok(!envRule.match(facts.reset(openEv('/home/u/.env'))));
  });
});
