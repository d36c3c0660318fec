// connect / accept / UDP / DNS events against servers the test runs, with the
// DNS name a connection was made for.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, realpathSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { requireBpf } from '../helpers/bpf';
import { cFixture, NODE, PYTHON, scratchDir, scriptFixture } from '../helpers/fixtures';
import { assertExit, only, select, trace } from '../helpers/trace';

/** A TCP server on 127.0.0.1 that records what each client sent, and a UDP socket that records datagrams. */
async function servers(): Promise<{ tcpPort: number; udpPort: number; received: string[]; close: () => void }> {
  const received: string[] = [];
  const tcp = net.createServer((s) => s.on('data', (d) => received.push(`tcp:${d}`)));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m) => received.push(`udp:${m}`));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  return {
    tcpPort: (tcp.address() as AddressInfo).port,
    udpPort: udp.address().port,
    received,
    close: () => {
      tcp.close();
      udp.close();
    },
  };
}

describe('trace: network and DNS events', function () {
  before(function () {
    requireBpf(this);
  });

  it('reports the DNS lookup of localhost, the TCP connect it led to and a UDP datagram (C)', async function () {
    const srv = await servers();
    try {
      const bin = cFixture('net');
      const run = await trace([bin, String(srv.tcpPort), String(srv.udpPort)]);
      assertExit(run, 0);
      assert.deepEqual(srv.received.sort(), ['tcp:ping', 'udp:lens']);
      const pid = only(run.events, 'exec', { filename: bin }).pid;
      const ev = run.events.filter((e) => e.pid === pid);

      const dns = only(ev, 'dns', { name: 'localhost' });
      assert.equal(dns.ret, 0);
      assert.deepEqual(dns.answers, ['127.0.0.1']);

      const conn = only(ev, 'connect', { daddr: '127.0.0.1', dport: srv.tcpPort });
      assert.equal(conn.family, 'AF_INET');
      assert.equal(conn.ret, 0);
      assert.equal(conn.dns, 'localhost');
      assert.ok(conn.fd >= 3);

      const udp = only(ev, 'udp_send', { daddr: '127.0.0.1', dport: srv.udpPort });
      assert.equal(udp.family, 'AF_INET');
      assert.ok(dns.ts <= conn.ts && conn.ts <= udp.ts, 'dns, connect, udp in order');
    } finally {
      srv.close();
    }
  });

  it('reports a Node server: listen, the connect to it by name, the accept, and the lookup', async function () {
    const dir = realpathSync(scratchDir('node-net'));
    const run = await trace([NODE, scriptFixture('node/server.js'), `${dir}/port`, '0'], [], { cwd: dir });
    assertExit(run, 0);
    const port = Number(readFileSync(`${dir}/port`, 'utf8'));
    const pid = only(run.events, 'exec', { filename: NODE }).pid;
    const ev = run.events.filter((e) => e.pid === pid);

    assert.ok(select(ev, 'dns', { name: 'localhost' }).some((d) => d.answers.includes('127.0.0.1')), 'a lookup of localhost answered 127.0.0.1');
    const listen = only(ev, 'listen', { sport: port });
    assert.equal(listen.saddr, '127.0.0.1');
    assert.equal(listen.ret, 0);
    const conn = only(ev, 'connect', { daddr: '127.0.0.1', dport: port });
    assert.ok(conn.ret === 0 || conn.errno === 'EINPROGRESS', `non-blocking connect: ${JSON.stringify(conn)}`);
    assert.equal(conn.dns, 'localhost');
    const accept = select(ev, 'accept').filter((a) => a.ret >= 0 && a.sport === port);
    assert.equal(accept.length, 1, `one accept on port ${port}: ${JSON.stringify(select(ev, 'accept'))}`);
    assert.equal(accept[0].daddr, '127.0.0.1');
    assert.ok(conn.sport > 0, `the connecting socket's local port: ${JSON.stringify(conn)}`);
    assert.equal(accept[0].dport, conn.sport, 'the accepted peer is the connecting socket');
    assert.ok(accept[0].ret >= 0);

    // Both ends close after "ping" one way and "pong" the other: 4 bytes each.
    const client = only(ev, 'tcp_close', { sport: conn.sport, dport: port });
    assert.deepEqual([client.bytes_sent, client.bytes_received], [4, 4]);
    assert.equal(client.dns, 'localhost');
    const server = only(ev, 'tcp_close', { sport: port, dport: conn.sport });
    assert.deepEqual([server.bytes_sent, server.bytes_received], [4, 4]);
  });

  it('reports the lookup and the UDP datagram of a Python program', async function () {
    const srv = await servers();
    try {
      const dir = realpathSync(scratchDir('python-net'));
      const run = await trace([PYTHON, scriptFixture('python/ops.py'), dir, String(srv.udpPort), '0'], [], { cwd: dir });
      assertExit(run, 0);
      assert.deepEqual(srv.received, ['udp:lens']);
      const pid = only(run.events, 'exec', { filename: PYTHON }).pid;
      const dns = only(run.events, 'dns', { pid, name: 'localhost' });
      assert.deepEqual(dns.answers, ['127.0.0.1']);
      only(run.events, 'udp_send', { pid, daddr: '127.0.0.1', dport: srv.udpPort });
    } finally {
      srv.close();
    }
  });
});
