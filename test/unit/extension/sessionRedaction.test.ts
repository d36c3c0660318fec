// What the extension shows and writes of a traced command line: session title,
// target, session file header, file name, sessions folder mode, exports.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LOCAL_AGENT } from '../../../extension/src/agent/agentId';
import { AgentClient } from '../../../extension/src/agent/agentClient';
import { exportSession } from '../../../extension/src/session/exportSession';
import type { Session } from '../../../extension/src/session/session';
import { SessionManager, type SessionSettings } from '../../../extension/src/session/sessionManager';
import { systemClock } from '../../../extension/src/util/clock';
import { leakedSecrets, SECRETS, secretCommand } from '../../helpers/secrets';
import { FakeAgent, until } from './helpers/fakeAgent';

/** The command as a user would type it (what the Trace Command box passes as the title). */
const typed = (argv: string[]) => argv.map((a) => (/^[\w./=:-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

describe('session redaction (title, target, file header, file name, folder)', () => {
  let root: string;
  let agent: FakeAgent;
  let client: AgentClient;
  let manager: SessionManager;
  let settings: SessionSettings;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-redaction-'));
    // a custom sessions folder that does not exist yet, two levels deep
    settings = { sessionsDirectory: path.join(root, 'traces', 'sessions'), maxEventsInMemory: 1000, events: ['exec'], redact: true };
    agent = new FakeAgent();
    client = new AgentClient(LOCAL_AGENT, agent.transport, () => undefined);
    manager = new SessionManager({ clock: systemClock, log: () => undefined, settings: () => settings });
    manager.bindAgent(client);
    await client.initialize('test', '0');
  });

  afterEach(() => {
    manager.dispose();
    if (!client.gone) agent.crash(0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The session file's text (header, events and all), once its recorder is closed. */
  const fileText = async (s: Session) => {
    await s.recorder!.close({ state: 'exited', endedAt: 0 });
    return zlib.gunzipSync(fs.readFileSync(s.file!)).toString('utf8');
  };

  it('launch: the agent gets the real command; title, target, file header and file name hold no secret; folder 0700', async () => {
    const argv = secretCommand();
    const session = await manager.start(client, { kind: 'launch', command: argv, cwd: root }, typed(argv));
    assert.deepEqual(agent.started[0].target, { kind: 'launch', command: argv, cwd: root, stdio: 'pipe' }, 'the agent runs the command as given');
    assert.equal(agent.started[0].redact, true);
    assert.deepEqual(leakedSecrets(session.title), []);
    assert.deepEqual(leakedSecrets(JSON.stringify(session.target)), []);
    assert.match(session.title, /mysql -u root -p \*\*\* db/);
    assert.match(path.basename(session.file!), /^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-\d{3}_sh\.lens\.ndjson\.gz$/, 'named by time and program only');
    assert.equal(fs.statSync(settings.sessionsDirectory).mode & 0o777, 0o700, 'the sessions folder is private');
    assert.equal(fs.statSync(path.dirname(settings.sessionsDirectory)).mode & 0o777, 0o700, 'and so is the folder made for it');

    const text = await fileText(session);
    const header = JSON.parse(text.split('\n')[0]) as { title: string; target: { command: string[] } };
    assert.equal(header.title, session.title);
    assert.equal(header.target.command.length, argv.length, 'one word per argument');
    assert.deepEqual(leakedSecrets(text), [], 'no secret anywhere in the session file');
  });

  it('attach: the command line of the picked process is redacted in the session and its file', async () => {
    const cmdline = 'node server.js --db-password hunter2 --token hdrTOKEN';
    const session = await manager.start(client, { kind: 'attach', pid: 4242, comm: 'node', cmdline }, 'node (pid 4242)');
    assert.deepEqual(agent.started[0].target, { kind: 'attach', pid: 4242 });
    assert.equal(session.target.kind === 'attach' && session.target.cmdline, 'node server.js --db-password *** --token ***');
    assert.match(path.basename(session.file!), /_node\.lens\.ndjson\.gz$/);
    assert.deepEqual(leakedSecrets(await fileText(session)), []);
  });

  it('an export is private (0600)', async () => {
    const session = await manager.start(client, { kind: 'launch', command: ['app', '--password=hunter2'], cwd: root }, 'app --password=hunter2');
    await agent.sendEvents(session.agentSessionId!, [{ ts: 1, kind: 'exec', pid: 1, tid: 1, ppid: 0, uid: 0, comm: 'app', key: '1:1000', filename: '/app', argv: ['app', '--password=***'], cwd: '/', ret: 0 }]);
    await until(() => session.stats.total === 1, 'the event to arrive');
    const out = path.join(root, 'export.json');
    assert.equal(await exportSession(session, 'json', out), 1);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(leakedSecrets(fs.readFileSync(out, 'utf8')), []);
  });

  it('runtimeLens.redact off: title and header as typed, the file name still only the program', async () => {
    settings = { ...settings, redact: false };
    const argv = secretCommand();
    const session = await manager.start(client, { kind: 'launch', command: argv, cwd: root }, typed(argv));
    assert.equal(agent.started[0].redact, false);
    assert.deepEqual(session.target, { kind: 'launch', command: argv, cwd: root });
    assert.match(path.basename(session.file!), /_sh\.lens\.ndjson\.gz$/);
    assert.deepEqual(leakedSecrets((await fileText(session)).split('\n')[0]), [...SECRETS]);
  });
});
