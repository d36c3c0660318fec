import assert from 'node:assert/strict';
import { Session } from '../../../extension/src/session/session';
import { SessionTerminal } from '../../../extension/src/session/sessionTerminal';
import { FakeClock } from './helpers/fakeClock';

describe('SessionTerminal', () => {
  const make = () => {
    const session = new Session({ id: 's', title: 'python3 ask.py', target: { kind: 'launch', command: ['python3', 'ask.py'], cwd: '/' }, fromFile: false, maxEventsInMemory: 10, clock: new FakeClock() });
    session.setState('running');
    const sent: string[] = [];
    let stops = 0;
    const term = new SessionTerminal(session, {
      input: async (_s, data) => void sent.push(data.toString()),
      stop: async () => void stops++,
    }, () => undefined);
    const written: string[] = [];
    term.onDidWrite((t) => written.push(t));
    let closed = 0;
    term.onDidClose(() => closed++);
    return { session, term, sent, written, stops: () => stops, closed: () => closed };
  };

  it('shows output written before it opened, with CRLF line ends and stderr in red', () => {
    const { session, term, written } = make();
    session.output('stdout', Buffer.from('Name?\n').toString('base64'));
    session.output('stderr', Buffer.from('warn\n').toString('base64'));
    assert.deepEqual(written, [], 'nothing is written before open()');
    term.open();
    const text = written.join('');
    assert.match(text, /tracing python3 ask\.py/);
    assert.ok(text.endsWith('Name?\r\n\u001b[31mwarn\r\n\u001b[0m'), JSON.stringify(text));
  });

  it('edits a line locally (echo, backspace) and sends it on Enter; Ctrl+C stops the session', async () => {
    const { term, sent, written, stops } = make();
    term.open();
    term.handleInput('lenz');
    term.handleInput('\x7f');
    term.handleInput('s\r');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, ['lens\n']);
    assert.ok(written.join('').includes('lenz\b \bs\r\n'), 'typed characters are echoed and erased');
    term.handleInput('\x03');
    assert.equal(stops(), 1);
  });

  it('says how the program ended, closes on the next key, and closing a running one stops it', () => {
    const a = make();
    a.term.open();
    a.session.setState('exited', { exitCode: 2 });
    assert.match(a.written.join(''), /python3 ask\.py: exited \(code 2\)\. Press any key to close\./);
    a.term.handleInput('x');
    assert.equal(a.closed(), 1);

    const b = make();
    b.term.open();
    b.term.close();
    assert.equal(b.stops(), 1);
  });
});
