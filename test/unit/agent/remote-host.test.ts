// The pieces of a remote host that need no host: target parsing, what ssh's failures mean,
// the multiplexer's frames, the static-binary check and the quoting of remote commands.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadArtifacts, staticElfProblem } from '../../../remote-agent/src/backend/remote/artifacts';
import { Channel, encodeFrame, FrameSplitter } from '../../../remote-agent/src/backend/remote/mux-stream';
import { sq } from '../../../remote-agent/src/backend/remote/shell';
import { sshFailure } from '../../../remote-agent/src/backend/remote/ssh-errors';
import { parseHostTarget } from '../../../remote-agent/src/backend/remote/target';
import { ErrorCodes } from '../../../remote-agent/src/protocol';

describe('remote host: without a host', function () {
  it('parses [user@]host[:port], IPv6 in brackets', function () {
    assert.deepEqual(parseHostTarget('web1'), { user: undefined, host: 'web1', port: undefined, text: 'web1' });
    assert.deepEqual(parseHostTarget('me@10.0.0.2:2222'), { user: 'me', host: '10.0.0.2', port: 2222, text: 'me@10.0.0.2:2222' });
    assert.equal(parseHostTarget('[fe80::1]:22').host, 'fe80::1');
    for (const bad of ['', '-oProxyCommand=x', 'a@b@c', 'h:0', 'h:x']) assert.throws(() => parseHostTarget(bad), /is not \[user@\]host\[:port\]|port/, bad);
  });

  it('names each ssh failure by what ssh said, with its fix', function () {
    const t = parseHostTarget('me@srv');
    const cases: Array<[string, number, RegExp]> = [
      ['No ED25519 host key is known for srv and you have requested strict checking.\nHost key verification failed.', ErrorCodes.HostKeyUnknown, /connect once with `ssh me@srv`/],
      ['@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.', ErrorCodes.HostKeyChanged, /ssh-keygen -R srv/],
      ['me@srv: Permission denied (publickey).', ErrorCodes.HostAuthRefused, /ssh-copy-id me@srv/],
      ['ssh: Could not resolve hostname srv: Name or service not known', ErrorCodes.HostUnreachable, /Host srv entry/],
      ['ssh: connect to host srv port 22: Connection refused', ErrorCodes.HostUnreachable, /`ssh me@srv true`/],
    ];
    for (const [said, code, fix] of cases) {
      const e = sshFailure(t, said);
      assert.equal(e.code, code, said);
      assert.match(e.fixes.map((f) => f.text).join('\n'), fix, said);
    }
  });

  it('frames survive any cut of the stream', function () {
    const frames = [encodeFrame(Channel.PACKETS, Buffer.from('abc')), encodeFrame(Channel.DIAG), encodeFrame(Channel.EXIT, Buffer.from([0, 3, 0, 0, 0]))];
    const stream = Buffer.concat(frames);
    for (let cut = 0; cut <= stream.length; cut++) {
      const got: Array<[number, string]> = [];
      const s = new FrameSplitter((ch, p) => got.push([ch, p.toString('hex')]));
      s.push(stream.subarray(0, cut));
      s.push(stream.subarray(cut));
      assert.deepEqual(got, [[1, '616263'], [2, ''], [255, '0003000000']]);
      assert.equal(s.pendingBytes, 0);
    }
  });

  it('only static x86_64 programs are deployed; the built ones are', function () {
    assert.match(staticElfProblem(readFileSync(process.execPath)) ?? '', /dynamically linked/);
    assert.equal(staticElfProblem(Buffer.from('#!/bin/sh\n')), 'not an ELF file');
    for (const a of loadArtifacts()) {
      assert.equal(staticElfProblem(a.bytes), undefined, a.local);
      assert.match(execFileSync('file', ['-b', a.local], { encoding: 'utf8' }), /statically linked/);
    }
  });

  it('quotes words for the host\'s sh', function () {
    const words = ['plain/path', "it's", '$HOME `x` "y"', ''];
    assert.deepEqual(execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${words.map(sq).join(' ')}`], { encoding: 'utf8' }).split('\n').slice(0, -1), words);
  });
});
