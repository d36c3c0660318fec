// Behaviour profiles and drift: what an event shows, how a run folds into a profile, what is new against one.
import assert from 'node:assert/strict';
import type { LensEvent } from '../../../remote-agent/src/protocol';
import { argShape, behavioursOf, stablePath } from '../../../remote-agent/src/baseline/behaviour';
import { DriftDetector, driftRule, driftText } from '../../../remote-agent/src/baseline/drift';
import { parseProfile, ProfileBuilder, profileText } from '../../../remote-agent/src/baseline/profile';

const base = { ts: 1, pid: 10, tid: 10, ppid: 1, uid: 1000, comm: 'node', key: '10:1' } as const;
const exec = (filename: string, argv: string[]): LensEvent => ({ ...base, kind: 'exec', filename, argv, cwd: '/app', ret: 0 });
const open = (path: string, flags = 'O_RDONLY|O_CLOEXEC'): LensEvent => ({ ...base, kind: 'open', syscall: 'openat', path, flags, ret: 3 });
const connect = (daddr: string, dport: number, extra: Partial<LensEvent> = {}): LensEvent =>
  ({ ...base, kind: 'connect', family: 'AF_INET', saddr: '0.0.0.0', sport: 0, daddr, dport, fd: 3, ret: 0, ...extra } as LensEvent);
const fromPkg = (e: LensEvent, file: string, line: number): LensEvent => ({ ...e, frames: [{ kind: 'js', function: 'f', file, line, column: 3 }] });

describe('behaviour profiles and drift', function () {
  it('volatile parts are replaced: pids in /proc, temp folders, values of arguments', function () {
    assert.equal(stablePath('/proc/4242/status'), '/proc/<pid>/status');
    assert.equal(stablePath('/proc/4242/task/4243/comm'), '/proc/<pid>/task/<tid>/comm');
    assert.equal(stablePath('/tmp/tmp.Xa81k/out/f.txt'), '/tmp/*/out/f.txt');
    assert.equal(stablePath('/tmp/f.txt'), '/tmp/f.txt');
    assert.equal(stablePath('/etc/passwd'), '/etc/passwd');
    assert.deepEqual(['-c', 'id; uname -a', '--port=8080', '42', '/etc/x', 'install', 'deadbeefcafe'].map(argShape), ['-c', '<str>', '--port=<num>', '<num>', '<path>', 'install', '<hex>']);
  });

  it('each kind of event is one behaviour of its category, grouped as a profile groups it', function () {
    const [b] = behavioursOf(exec('/bin/sh', ['sh', '-c', 'id; uname -a']));
    assert.deepEqual(b, { category: 'executable', key: '/bin/sh -c <str>', group: '/bin/sh -c <str>', text: "runs /bin/sh -c 'id; uname -a'" });
    assert.equal(behavioursOf(open('/home/u/.ssh/id_rsa'))[0].group, 'read /home/u/.ssh');
    assert.equal(behavioursOf(open('/home/u/.bashrc', 'O_WRONLY|O_APPEND'))[0].text, 'writes /home/u/.bashrc');
    assert.equal(behavioursOf(connect('127.0.0.1', 45123))[0].group, 'connect tcp 127.0.0.1:<ephemeral>', 'a local server on port 0');
    assert.equal(behavioursOf(connect('93.184.216.34', 443, { dns: 'example.com' } as Partial<LensEvent>))[0].text, 'connects to example.com:443 (93.184.216.34)');
    assert.deepEqual(behavioursOf({ ...exec('/bin/x', ['x']), ret: -2 } as LensEvent), [], 'a failed exec ran nothing');
    assert.deepEqual(behavioursOf({ ...base, kind: 'exit', exit_code: 0 }), []);
  });

  it('a run folds into a sorted profile that reads back; a file that is not one is refused with the reason', function () {
    const b = new ProfileBuilder();
    b.add([exec('/usr/bin/node', ['node', 'index.js']), open('/app/a.json'), open('/app/b.json'), fromPkg(connect('10.0.0.5', 5432), '/app/node_modules/pg/lib/client.js', 40)]);
    b.addSyscalls(['read', 'openat', 'read']);
    const p = b.profile({ recorded: new Date(0), command: ['node', 'index.js'], arch: 'x86_64' });
    assert.deepEqual(p.files, [{ behaviour: 'read /app', count: 2, packages: [], stacks: false, examples: ['/app/a.json', '/app/b.json'] }]);
    assert.deepEqual(p.endpoints, [{ behaviour: 'connect tcp 10.0.0.5:5432', count: 1, packages: ['pg'], stacks: true, examples: ['10.0.0.5:5432'] }]);
    assert.deepEqual(p.syscalls, ['openat', 'read']);
    assert.deepEqual(parseProfile(profileText(p), 'b.json'), p);
    assert.throws(() => parseProfile('{"x":1}', 'b.json'), /b\.json is not a Runtime Lens baseline .*baseline record -o b\.json/);
    assert.throws(() => parseProfile('{"runtimeLensBaseline":1,"executables":{},"files":[],"endpoints":[],"syscalls":null}', 'b.json'), /"executables" must be a list/);
  });

  it('what is new is reported once, with the code that did it; a known behaviour from a new package is drift too', function () {
    const b = new ProfileBuilder();
    b.add([fromPkg(open('/app/config.json'), '/app/index.js', 3), fromPkg(connect('10.0.0.5', 5432), '/app/node_modules/pg/lib/client.js', 40)]);
    b.addSyscalls(['read']);
    const d = new DriftDetector(parseProfile(profileText(b.profile({ recorded: new Date(0) })), 'b.json'));
    assert.deepEqual(d.check(open('/app/other.json')), [], 'same directory, same access');
    const evil = fromPkg(connect('127.0.0.1', 4444), '/app/node_modules/evil-pkg/index.js', 12);
    const [drift] = d.check(evil);
    assert.equal(driftText(drift, '/app'), 'new: connects to 127.0.0.1:4444 from node_modules/evil-pkg/index.js:12');
    assert.equal(driftRule(drift), 'New network endpoint (not in the baseline)');
    assert.deepEqual(d.check(evil), [], 'reported once');
    const [pkg] = d.check(fromPkg(connect('10.0.0.5', 5432), '/app/node_modules/evil-pkg/index.js', 20));
    assert.equal(pkg.newPackage, 'evil-pkg');
    assert.equal(driftRule(pkg), 'Known behaviour from a new package (not in the baseline)');
    assert.deepEqual(d.checkSyscalls(['read', 'ptrace']).map((x) => driftText(x)), ['new: calls ptrace']);
    const noCounts = new DriftDetector({ ...parseProfile(profileText(b.profile({ recorded: new Date(0) })), 'b.json'), syscalls: null });
    assert.equal(noCounts.comparesSyscalls, false);
    assert.deepEqual(noCounts.checkSyscalls(['ptrace']), [], 'a baseline without counts says nothing about syscalls');
  });

  it('a process reading the executable it runs (V8 does, or not, at start-up) is neither in a profile nor drift; other processes reading it are', function () {
    const child = { ...base, pid: 11, tid: 11, key: '11:2' } as const;
    const fork: LensEvent = { ...base, kind: 'fork', child_pid: 11, thread: false, child_key: '11:2' };
    const b = new ProfileBuilder();
    b.add([exec('/usr/bin/node', ['node', 'app.js']), open('/app/a.json')]);
    const d = new DriftDetector(parseProfile(profileText(b.profile({ recorded: new Date(0) })), 'b.json'));
    assert.deepEqual(d.check(exec('/usr/bin/node', ['node', 'app.js'])), []);
    assert.deepEqual(d.check(open('/usr/bin/node')), [], 'its own executable');
    assert.deepEqual(d.check(fork), []);
    assert.deepEqual(d.check({ ...child, kind: 'open', syscall: 'openat', path: '/usr/bin/node', flags: 'O_RDONLY', ret: 3 }), [], 'a forked child runs it too');
    assert.deepEqual(d.check({ ...child, kind: 'exec', filename: '/bin/cat', argv: ['cat'], cwd: '/app', ret: 0 }).map((x) => driftText(x)), ['new: runs /bin/cat by node (pid 11)']);
    assert.deepEqual(d.check({ ...child, comm: 'cat', kind: 'open', syscall: 'openat', path: '/usr/bin/node', flags: 'O_RDONLY', ret: 3 }).map((x) => driftText(x)), ['new: reads /usr/bin/node by cat (pid 11)'],
      'once it runs another program, reading node is a file access');
    assert.deepEqual(d.check(open('/usr/bin/node', 'O_WRONLY')).map((x) => driftText(x)), ['new: writes /usr/bin/node by node (pid 10)'], 'writing it is never part of running it');
  });
});
