// Secret redaction of command lines and environments.
import assert from 'node:assert/strict';
import { REDACTED, redactArgv, redactEnv, redactText } from '../../../remote-agent/src/redact/redact';

describe('redaction', function () {
  it('option values: --password=x, --token x, -p stays', function () {
    assert.deepEqual(redactArgv(['mysql', '--password=hunter2', '--user=bob', '-p', '3306']), ['mysql', `--password=${REDACTED}`, '--user=bob', '-p', '3306']);
    assert.deepEqual(redactArgv(['gh', '--token', 'abc123', 'repo', 'list']), ['gh', '--token', REDACTED, 'repo', 'list']);
    assert.deepEqual(redactArgv(['tool', '--api-key', 'k', '--client-secret=s']), ['tool', '--api-key', REDACTED, `--client-secret=${REDACTED}`]);
  });
  it('Authorization and cookie headers', function () {
    assert.deepEqual(redactArgv(['curl', '-H', 'Authorization: Bearer eyJabc', '-H', 'Accept: text/html', 'http://x']),
      ['curl', '-H', `Authorization: ${REDACTED}`, '-H', 'Accept: text/html', 'http://x']);
    assert.deepEqual(redactArgv(['curl', '-H', 'cookie: sid=1']), ['curl', '-H', `cookie: ${REDACTED}`]);
  });
  it('KEY=VALUE for secret-looking keys, not for others', function () {
    assert.deepEqual(redactArgv(['env', 'DB_PASSWORD=pw', 'GITHUB_TOKEN=t', 'HOME=/root', 'AWS_SECRET_ACCESS_KEY=abc']),
      ['env', `DB_PASSWORD=${REDACTED}`, `GITHUB_TOKEN=${REDACTED}`, 'HOME=/root', `AWS_SECRET_ACCESS_KEY=${REDACTED}`]);
  });
  it('AWS access key ids, provider tokens and URL credentials anywhere', function () {
    assert.equal(redactText('key AKIAIOSFODNN7EXAMPLE used'), `key ${REDACTED} used`);
    assert.equal(redactText('https://bob:s3cret@example.com/x'), `https://bob:${REDACTED}@example.com/x`);
    assert.deepEqual(redactArgv(['git', 'clone', 'https://u:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/r']), ['git', 'clone', `https://u:${REDACTED}@github.com/r`]);
  });
  it('leaves ordinary arguments alone', function () {
    const argv = ['ls', '-l', '--color=auto', '/tmp', 'author=me', '--author=Bob'];
    assert.deepEqual(redactArgv(argv), argv);
  });
  it('environment values', function () {
    assert.deepEqual(redactEnv({ A: '1', SECRET: 'x' }), { A: REDACTED, SECRET: REDACTED });
  });
});
