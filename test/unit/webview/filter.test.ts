import assert from 'node:assert/strict';
import { parseFilter } from '../../../webview/src/model/filter';
import { summarize } from '../../../webview/src/model/eventText';
import { EVENTS, STACKED } from './events.fixture';

/** Indexes (into EVENTS) of the events a filter keeps; fails the test on a syntax error. */
function matching(source: string): number[] {
  const r = parseFilter(source);
  if (!r.ok) assert.fail(`unexpected syntax error for ${source}: ${r.error.message}`);
  return EVENTS.flatMap((e, i) => (r.filter.test(e, () => `${e.comm} ${e.pid} ${e.kind} ${summarize(e)}`) ? [i] : []));
}

function error(source: string) {
  const r = parseFilter(source);
  if (r.ok) assert.fail(`expected a syntax error for ${source}`);
  return r.error;
}

describe('webview filter language', () => {
  it('an empty filter keeps everything', () => {
    assert.deepEqual(matching('   '), EVENTS.map((_, i) => i));
  });

  it('kind:open -comm:node keeps exactly the opens not made by node', () => {
    assert.deepEqual(matching('kind:open -comm:node'), [2, 3]);
  });

  it('globs match the whole path, case-insensitively', () => {
    assert.deepEqual(matching('path:*.env'), [1, 2]);
    assert.deepEqual(matching('path:*.ENV'), [1, 2]);
    assert.deepEqual(matching('path:/app'), []);
    assert.deepEqual(matching('path:/app/*'), [1, 2, 3]);
    assert.deepEqual(matching('path:/app/?.env'), []);
  });

  it('key: names one process, whatever else had its pid', () => {
    assert.deepEqual(matching('key:102:1000'), [4, 5, 7, 8]);
    assert.deepEqual(matching('key:102:2000'), []);
    assert.deepEqual(matching('key:101:*'), [2, 3]);
  });

  it('the exec filename counts as a path', () => {
    assert.deepEqual(matching('path:/usr/bin/node'), [0]);
  });

  it('numeric comparisons and ranges', () => {
    assert.deepEqual(matching('ret:<0'), [3, 6]);
    assert.deepEqual(matching('pid:101..102 kind:open,connect'), [2, 3, 4]);
    assert.deepEqual(matching('dport:443 kind:connect'), [4]);
    assert.deepEqual(matching('ret:>=3 kind:open'), [1, 2]);
  });

  it('ret reads the exit code of exit events', () => {
    assert.deepEqual(matching('kind:exit ret:6'), [7]);
  });

  it('durations take units', () => {
    assert.deepEqual(matching('dur:>1ms'), [6]);
    assert.deepEqual(matching('dur:<1us'), [9]);
  });

  it('kind groups expand to their kinds', () => {
    assert.deepEqual(matching('kind:net'), [4, 8]);
    assert.deepEqual(matching('kind:exec'), [0, 7]);
  });

  it('daddr also matches the DNS name of the address', () => {
    assert.deepEqual(matching('daddr:example.com'), [4, 8]);
    assert.deepEqual(matching('daddr:93.184.*'), [4, 8]);
  });

  it('errno, syscall and name fields', () => {
    assert.deepEqual(matching('errno:ENOENT'), [3]);
    assert.deepEqual(matching('syscall:read'), [6]);
    assert.deepEqual(matching('name:example.com'), [5]);
  });

  it('free text searches the row, quoted text may contain spaces and colons', () => {
    assert.deepEqual(matching('missing'), [3]);
    assert.deepEqual(matching('"received=5000"'), [8]);
    assert.deepEqual(matching('-python3 kind:open'), [1]);
  });

  it('a negated field is true for events without that field', () => {
    assert.deepEqual(matching('-path:*.env kind:open'), [3]);
  });

  it('names the column of an unknown field and suggests the right one', () => {
    const e = error('kind:open pth:*.env');
    assert.equal(e.position, 10);
    assert.equal(e.length, 3);
    assert.match(e.message, /^column 11: unknown field "pth"/);
    assert.match(e.message, /did you mean "path"/);
  });

  it('rejects an unknown kind with the list of kinds', () => {
    const e = error('kind:opne');
    assert.equal(e.position, 5);
    assert.match(e.message, /unknown kind "opne" — did you mean "open"/);
  });

  it('rejects a non-number for a numeric field', () => {
    const e = error('pid:abc');
    assert.equal(e.position, 4);
    assert.match(e.message, /pid takes a number, got "abc"/);
  });

  it('rejects a reversed range instead of silently matching nothing, and a range missing a bound', () => {
    const e = error('kind:open pid:5..2');
    assert.equal(e.position, 14);
    assert.equal(e.length, 4);
    assert.match(e.message, /^column 15: the range 5\.\.2 is reversed and matches nothing; put the smaller bound first: pid:2\.\.5$/);
    assert.match(error('dur:2ms..100us').message, /reversed.*dur:100us\.\.2ms/);
    assert.deepEqual(matching('pid:101..101 kind:open'), [2, 3]);
    assert.match(error('pid:5..').message, /^column 5: the range "5\.\." needs a number on each side of "\.\.", e\.g\. pid:10\.\.20/);
    assert.match(error('pid:..5').message, /needs a number on each side/);
  });

    it('rejects an unterminated quote at the quote', () => {
    const e = error('comm:node "free text');
    assert.equal(e.position, 10);
    assert.match(e.message, /unterminated quote/);
  });

  it('rejects a lone minus and an empty value', () => {
    assert.equal(error('kind:open - comm:x').position, 10);
    assert.match(error('path:').message, /missing value after "path:"/);
    assert.match(error('kind:open,').message, /empty value/);
  });

  it('rejects comparisons on text fields', () => {
    assert.match(error('comm:<5').message, /comm is text/);
  });
});

describe('webview filter examples in README.md', () => {
  it('every example filter in the "Filtering events" section parses', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('<!-- filter:start -->'), readme.indexOf('<!-- filter:end -->'));
    assert.ok(section.length > 100, 'README.md has no filter section');
    const block = /```\n(.+)\n```/.exec(section)?.[1];
    assert.equal(block, 'kind:open path:*.env -comm:node pid:123 ret:<0 "free text"');
    // Inline examples: code spans that use a field or quotes (not the field table, not the error text).
    const examples = [...section.replace(/```[^]*?```/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1])
      .filter((x) => /^-?[a-z]+:\S|^"/.test(x) && !x.startsWith('field:') && !x.startsWith('column'));
    assert.ok(examples.length >= 15, `only ${examples.length} examples found: ${examples.join(" ")}`);
    for (const x of [block, ...examples]) {
      const r = parseFilter(x);
      assert.ok(r.ok, `README example ${x} fails to parse: ${r.ok ? '' : r.error.message}`);
    }
  });
});

describe('webview filter: source terms', () => {
  const keep = (source: string) => {
    const r = parseFilter(source);
    if (!r.ok) assert.fail(r.error.message);
    return STACKED.flatMap((e, i) => (r.filter.test(e, () => '') ? [i] : []));
  };

  it('file: matches the source or any frame, by full path or by name; line: is the source line', () => {
    assert.deepEqual(keep('file:server.js'), [0, 1]);
    assert.deepEqual(keep('file:/home/dev/shop/lib/store.js line:8'), [2]);
    assert.deepEqual(keep('file:client.js'), [2]);
    assert.deepEqual(keep('line:21'), [3]);
    assert.deepEqual(keep('line:>=21'), [3, 4]);
    assert.deepEqual(keep('-file:*'), [6]);
    assert.deepEqual(keep('file:"/home/dev/shop/server.js" line:12'), [0, 1]);
  });

  it('func: matches a function of the stack; pkg: a package on it', () => {
    assert.deepEqual(keep('func:loadConfig'), [0, 1]);
    assert.deepEqual(keep('func:*Sync'), [0, 1, 4]);
    assert.deepEqual(keep('pkg:@aws-sdk/client-s3'), [3]);
    assert.deepEqual(keep('pkg:pg,pg-pool'), [2]);
    assert.deepEqual(keep('pkg:psycopg2'), [5]);
    assert.deepEqual(keep('pkg:libpq.so*'), [5]);
    assert.deepEqual(keep('pkg:libc*'), [], 'the C library is the runtime, not a dependency');
    assert.deepEqual(keep('pkg:*'), [2, 3, 5]);
  });
});
