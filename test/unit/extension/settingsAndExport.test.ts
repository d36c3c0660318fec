import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSettings } from '../../../extension/src/settings';
import { Session } from '../../../extension/src/session/session';
import { exportDependencies } from '../../../extension/src/session/exportDependencies';
import { exportSession, csvRow } from '../../../extension/src/session/exportSession';
import { STACKED } from '../webview/events.fixture';
import { SessionRecorder } from '../../../extension/src/session/sessionFile';
import { systemClock } from '../../../extension/src/util/clock';
import { ev } from './helpers/fakeAgent';

const config = (values: Record<string, unknown>) => ({ get: <T>(key: string, def?: T) => (key in values ? values[key] : def) as T });

describe('settings', () => {
  it('uses defaults and validates every value with a message naming it', () => {
    const ok = readSettings(config({}), '/store/sessions');
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.settings.events, ['exec', 'file', 'net', 'dns']);
    assert.equal(ok.settings.maxEventsInMemory, 200000);
    assert.equal(ok.settings.sessionsDirectory, '/store/sessions');
    assert.equal(ok.settings.redact, true);

    const bad = readSettings(config({ events: ['exec', 'nope'], maxEventsInMemory: 10, sessionsDirectory: 'relative/dir' }), '/store');
    assert.deepEqual(bad.settings.events, ['exec']);
    assert.equal(bad.settings.maxEventsInMemory, 200000);
    assert.equal(bad.settings.sessionsDirectory, '/store');
    assert.equal(bad.problems.length, 3);
    assert.match(bad.problems[0], /unknown event group\(s\) "nope"/);
    assert.match(bad.problems[1], /maxEventsInMemory must be an integer ≥ 1000; got 10/);
    assert.match(bad.problems[2], /sessionsDirectory must be an absolute path .*got "relative\/dir"/);
  });
});

describe('export', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-export-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const recorded = async () => {
    const s = new Session({ id: 's1', title: 't', target: { kind: 'launch', command: ['t'], cwd: dir }, fromFile: false, maxEventsInMemory: 2, clock: systemClock });
    s.recorder = new SessionRecorder(path.join(dir, 's.lens.ndjson.gz'), { runtimeLens: 'session', version: 1, title: 't', target: s.target, startedAt: 0 }, (e) => assert.fail(e));
    s.file = s.recorder.file;
    s.addEvents([ev('exec', 1), ev('open', 2, 100, { path: '/tmp/a,"b"' }), ev('connect', 3), ev('exit', 4, 100, { exit_code: 2 })]);
    return s;
  };

  it('exports every event (not only those in memory) as JSON, even while the session is recording', async () => {
    const s = await recorded();
    assert.equal(s.window.size, 2);
    const out = path.join(dir, 'out.json');
    assert.equal(await exportSession(s, 'json', out), 4);
    const parsed = JSON.parse(fs.readFileSync(out, 'utf8')) as { kind: string }[];
    assert.deepEqual(parsed.map((e) => e.kind), ['exec', 'open', 'connect', 'exit']);
  });

  it('exports CSV with quoted fields and a readable detail column', async () => {
    const s = await recorded();
    const out = path.join(dir, 'out.csv');
    assert.equal(await exportSession(s, 'csv', out), 4);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'ts,time,kind,pid,key,tid,ppid,uid,comm,detail,ret,errno');
    assert.match(lines[1], /^[0-9.]+,[^,]+,exec,100,100:1000,/, 'each row names its process by key');
    assert.equal(lines.length, 5);
    assert.match(lines[2], /,open,.*,"""\/tmp\/a,\\x22b\\x22"" O_RDONLY",3,$/);
    assert.match(lines[3], /127\.0\.0\.1:40000 -> 127\.0\.0\.1:8080/);
    assert.match(csvRow(ev('open', 5, 1, { path: '=cmd' })), /"=cmd O_RDONLY"/, 'formula-looking cells are quoted');
  });
});

describe('export of the Dependencies table', () => {
  it('writes per package the events its code caused, over every event of the session file, as JSON and CSV', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-deps-'));
    try {
      const s = new Session({ id: 's1', title: 'shop', target: { kind: 'launch', command: ['node'] }, fromFile: false, maxEventsInMemory: 2, clock: systemClock });
      s.recorder = new SessionRecorder(path.join(dir, 's.lens.ndjson.gz'), { runtimeLens: 'session', version: 1, title: 'shop', target: s.target, startedAt: 0 }, (e) => assert.fail(e));
      s.file = s.recorder.file;
      s.addEvents(STACKED);
      assert.equal(s.window.size, 2, 'most events are only in the file');
      const json = path.join(dir, 'deps.json');
      assert.equal(await exportDependencies(s, 'json', json), 6);
      const parsed = JSON.parse(fs.readFileSync(json, 'utf8')) as { events: number; eventsWithStacks: number; packages: { name: string; kind: string; total: number; byKind: Record<string, number> }[] };
      assert.equal(parsed.events, STACKED.length);
      assert.equal(parsed.eventsWithStacks, 6);
      assert.deepEqual(parsed.packages.find((p) => p.name === 'psycopg2'), { name: 'psycopg2', kind: 'python', total: 1, byKind: { connect: 1 } });
      const csv = path.join(dir, 'deps.csv');
      await exportDependencies(s, 'csv', csv);
      const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
      assert.equal(lines[0], 'package,from,events,connect');
      assert.ok(lines.includes('"@aws-sdk/client-s3",node,1,1'), 'a scoped name is quoted (a leading @ would read as a formula)');
      assert.ok(lines.includes('psycopg2,python,1,1'));
      assert.equal(fs.statSync(csv).mode & 0o777, 0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
