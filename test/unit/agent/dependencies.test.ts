import assert from 'node:assert/strict';
import { DependencyIndex, kindCountsText } from '../../../remote-agent/src/model/dependencies';
import { eventPackages, packageOfPath } from '../../../remote-agent/src/model/packages';
import { STACKED } from '../webview/events.fixture';

describe('packages and runtime-reachable dependencies', () => {
  it('names the package of a path: node_modules (scoped, nested), site-/dist-packages, a library by soname', () => {
    assert.deepEqual(packageOfPath('/app/node_modules/express/lib/router.js'), { name: 'express', kind: 'node' });
    assert.deepEqual(packageOfPath('/app/node_modules/@aws-sdk/client-s3/dist/index.js'), { name: '@aws-sdk/client-s3', kind: 'node' });
    assert.deepEqual(packageOfPath('/app/node_modules/express/node_modules/send/index.js'), { name: 'send', kind: 'node' }, 'the innermost node_modules');
    assert.deepEqual(packageOfPath('C:\\app\\node_modules\\@scope\\pkg\\a.js'), { name: '@scope/pkg', kind: 'node' });
    assert.deepEqual(packageOfPath('/venv/lib/python3.12/site-packages/requests/api.py'), { name: 'requests', kind: 'python' });
    assert.deepEqual(packageOfPath('/usr/lib/python3/dist-packages/six.py'), { name: 'six', kind: 'python' });
    assert.deepEqual(packageOfPath('/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0'), { name: 'libcurl.so.4.8.0', kind: 'native' });
    for (const own of ['/app/server.js', 'node:fs', '/usr/lib/python3.11/json/decoder.py', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2', '/usr/bin/node']) {
      assert.equal(packageOfPath(own), undefined, own);
    }
  });

  it('an event counts for every package on its stack, once each; the index counts per kind and keeps the latest events', () => {
    assert.deepEqual(eventPackages(STACKED[2]).map((p) => p.name), ['pg', 'pg-pool']);
    assert.deepEqual(eventPackages(STACKED[5]).map((p) => p.name), ['libpq.so.5', 'psycopg2']);
    const index = new DependencyIndex(1);
    assert.equal(index.add(STACKED.slice(0, 2)), false, 'no package on these stacks');
    assert.equal(index.add(STACKED), true);
    assert.equal(index.withStacks, 8);
    const rows = index.rows();
    assert.deepEqual(rows.map((r) => `${r.kind}:${r.name}=${r.total}`), [
      'node:@aws-sdk/client-s3=1', 'node:@smithy/node-http-handler=1', 'native:libpq.so.5=1', 'node:pg=1', 'node:pg-pool=1', 'python:psycopg2=1']);
    assert.equal(kindCountsText(rows[0].byKind), 'connect 1');
    index.add([STACKED[2], { ...STACKED[2], kind: 'open', path: '/x', flags: 'O_RDONLY', syscall: 'openat' } as never]);
    const pg = index.rows().find((r) => r.name === 'pg')!;
    assert.deepEqual(pg.byKind, { connect: 2, open: 1 });
    assert.equal(kindCountsText(pg.byKind), 'open 1 · connect 2');
    assert.equal(index.recent('node', 'pg').length, 1, 'bounded');
  });
});
