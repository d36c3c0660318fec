// Secret redaction of command lines, shell strings, text and environments (the rules of remote-agent/src/redact/rules.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listProcesses } from '../../../remote-agent/src/backend/linux/process-list';
import { REDACTED, redactArgv, redactCommandLine, redactEnv, redactText } from '../../../remote-agent/src/redact/redact';
import { PROGRAM_RULES } from '../../../remote-agent/src/redact/rules';
import { shellTokens } from '../../../remote-agent/src/redact/shell-words';
import { REPO_ROOT } from '../../helpers/paths';

const X = REDACTED;

describe('redaction', function () {
  describe('options and assignments named like secrets, for any program', function () {
    it('--password=x, --token x, --api-key x, -storepass x, KEY=VALUE', function () {
      assert.deepEqual(redactArgv(['mysql', '--password=hunter2', '--user=bob']), ['mysql', `--password=${X}`, '--user=bob']);
      assert.deepEqual(redactArgv(['gh', '--token', 'abc123', 'repo', 'list']), ['gh', '--token', X, 'repo', 'list']);
      assert.deepEqual(redactArgv(['tool', '--api-key', 'k', '--client-secret=s', '-storepass', 'sp']), ['tool', '--api-key', X, `--client-secret=${X}`, '-storepass', X]);
      assert.deepEqual(redactArgv(['env', 'DB_PASSWORD=pw', 'GITHUB_TOKEN=t', 'PGPASSWORD=pg', 'SSHPASS=sp', 'AWS_SECRET_ACCESS_KEY=abc', 'HOME=/root', 'PWD=/w']),
        ['env', `DB_PASSWORD=${X}`, `GITHUB_TOKEN=${X}`, `PGPASSWORD=${X}`, `SSHPASS=${X}`, `AWS_SECRET_ACCESS_KEY=${X}`, 'HOME=/root', 'PWD=/w']);
    });
    it('switches and names that only look like secrets keep the next argument', function () {
      const argv = ['tool', '--no-password', 'a', '--ask-pass', 'b', '--password-file', '/run/pw', '--password-stdin', 'c', '--max-tokens', '100',
        '--cache-bypass', 'd', '--author=Bob', 'author=me', '--secret-name', 'e'];
      assert.deepEqual(redactArgv(argv), argv);
    });
  });

  describe('the password options of particular programs', function () {
    it('mysql family: -pVALUE and the word after a bare -p (unless it is an option)', function () {
      assert.deepEqual(redactArgv(['mysql', '-u', 'root', '-p', 'hunterP1', 'db']), ['mysql', '-u', 'root', '-p', X, 'db']);
      assert.deepEqual(redactArgv(['/usr/bin/mysql', '-pmysqlPW']), ['/usr/bin/mysql', `-p${X}`]);
      assert.deepEqual(redactArgv(['mysqldump', '-p', '-h', 'db']), ['mysqldump', '-p', '-h', 'db']);
      assert.deepEqual(redactArgv(['mariadb8.0', '-P', '3306', '-ppw']), ['mariadb8.0', '-P', '3306', `-p${X}`]);
    });
    it('after a wrapper word (sudo, env, docker exec, ssh host): the program is found anywhere in the argv', function () {
      assert.deepEqual(redactArgv(['sudo', '-u', 'bob', 'mysql', '-ppw']), ['sudo', '-u', 'bob', 'mysql', `-p${X}`]);
      assert.deepEqual(redactArgv(['docker', 'exec', 'db', 'mysql', '-p', 'pw']), ['docker', 'exec', 'db', 'mysql', '-p', X]);
      assert.deepEqual(redactArgv(['docker', 'login', '-u', 'bob', '-p', 'dockerPW', 'registry']), ['docker', 'login', '-u', 'bob', '-p', X, 'registry']);
    });
    it('sshpass -p, whose options stop at the command it runs', function () {
      assert.deepEqual(redactArgv(['sshpass', '-p', 'sshPW', 'ssh', '-p', '2222', 'host']), ['sshpass', '-p', X, 'ssh', '-p', '2222', 'host']);
      assert.deepEqual(redactArgv(['sshpass', '-psshPW', 'scp', 'a', 'h:b']), ['sshpass', `-p${X}`, 'scp', 'a', 'h:b']);
    });
    it('curl -u/--user user:password keeps the user', function () {
      assert.deepEqual(redactArgv(['curl', '-u', 'user:pw', '--user', 'bob:pw2', '--user=al:pw3', '-ucy:pw4', '-U', 'proxy:pw5', '-u', 'prompted', 'http://h']),
        ['curl', '-u', `user:${X}`, '--user', `bob:${X}`, `--user=al:${X}`, `-ucy:${X}`, '-U', `proxy:${X}`, '-u', 'prompted', 'http://h']);
    });
    it('other programs of the table: redis-cli -a, ldapsearch -w, zip -P, 7z -pX, smbclient -U user%pw, openssl -k', function () {
      assert.deepEqual(redactArgv(['redis-cli', '-a', 'r']), ['redis-cli', '-a', X]);
      assert.deepEqual(redactArgv(['ldapsearch', '-x', '-w', 'l']), ['ldapsearch', '-x', '-w', X]);
      assert.deepEqual(redactArgv(['zip', '-P', 'z', 'a.zip', 'f']), ['zip', '-P', X, 'a.zip', 'f']);
      assert.deepEqual(redactArgv(['7z', 'x', '-ps', 'a.7z']), ['7z', 'x', `-p${X}`, 'a.7z']);
      assert.deepEqual(redactArgv(['7z', 'x', '-p', 'a.7z']), ['7z', 'x', '-p', 'a.7z'], 'a bare -p prompts: the archive name stays');
      assert.deepEqual(redactArgv(['smbclient', '-U', 'bob%s', '//h/s']), ['smbclient', '-U', `bob%${X}`, '//h/s']);
      assert.deepEqual(redactArgv(['openssl', 'enc', '-k', 'o', '-passin', 'pass:p']), ['openssl', 'enc', '-k', X, '-passin', X]);
      assert.deepEqual(redactArgv(['ssh-keygen', '-t', 'ed25519', '-N', 'phrase', '-f', 'k']), ['ssh-keygen', '-t', 'ed25519', '-N', X, '-f', 'k']);
    });
    it('-p stays where it is no password: ports, parents, publishing', function () {
      for (const argv of [['nc', '-p', '8080', 'h'], ['ssh', '-p', '2222', 'h'], ['mkdir', '-p', '/a/b'], ['docker', 'run', '-p', '8080:80', 'img'],
        ['cp', '-p', 'a', 'b'], ['ls', '-la'], ['python3', '-m', 'http.server', '-p', '8080'], ['curl', '-p', '-x', 'proxy', 'http://h']]) {
        assert.deepEqual(redactArgv(argv), argv);
      }
    });
  });

  describe('headers', function () {
    it('Authorization, Cookie and X-Api-Key-like headers as -H values, --header=, attached -H', function () {
      assert.deepEqual(redactArgv(['curl', '-H', 'Authorization: Bearer eyJabc', '-H', 'Accept: text/html', '-H', 'cookie: sid=1; b=2', 'http://x']),
        ['curl', '-H', `Authorization: ${X}`, '-H', 'Accept: text/html', '-H', `cookie: ${X}`, 'http://x']);
      assert.deepEqual(redactArgv(['curl', '--header=Authorization: Bearer x', '-HProxy-Authorization: Basic abc', '--header', 'X-Api-Key: k', '-H', 'X-Auth-Token:t']),
        ['curl', `--header=Authorization: ${X}`, `-HProxy-Authorization: ${X}`, '--header', `X-Api-Key: ${X}`, '-H', `X-Auth-Token:${X}`]);
      assert.deepEqual(redactArgv(['git', '-c', 'http.extraHeader=Authorization: Basic abcdef', 'fetch']), ['git', '-c', `http.extraHeader=Authorization: ${X}`, 'fetch']);
    });
  });

  describe('shell strings (sh -c, ssh host, typed command lines) word by word', function () {
    it('a bearer token, sshpass -p and mysql -p inside sh -c; the rest of the string as written', function () {
      assert.deepEqual(redactArgv(['sh', '-c', 'curl -H "Authorization: Bearer shTOKEN" http://x && sshpass -p sshPW ssh -p 22 h; nc -p 8080 h']),
        ['sh', '-c', `curl -H "Authorization: ${X}" http://x && sshpass -p ${X} ssh -p 22 h; nc -p 8080 h`]);
      assert.deepEqual(redactArgv(['bash', '-c', 'ssh h "mysql -uroot -pdeep db" | tee log']), ['bash', '-c', `ssh h "mysql -uroot -p${X} db" | tee log`]);
      assert.deepEqual(redactArgv(['sh', '-c', 'x=$(curl -u a:b http://h)\ncurl --token t2 h']), ['sh', '-c', `x=$(curl -u a:${X} http://h)\ncurl --token ${X} h`]);
    });
    it('a command line as typed', function () {
      assert.equal(redactCommandLine("MYSQL_PWD=x mysql -p hunter db | grep 'y z'"), `MYSQL_PWD=${X} mysql -p ${X} db | grep 'y z'`);
      assert.equal(redactCommandLine('app --password hunter2 --port 80'), `app --password ${X} --port 80`);
      assert.equal(redactCommandLine('ls -la /tmp'), 'ls -la /tmp');
    });
    it('tokenizes like a shell: quotes, escapes, operators', function () {
      assert.deepEqual(shellTokens(`a 'b c' "d \\"e\\"" f\\ g|h&&i $'j'`).map((t) => t.text), ['a', 'b c', 'd "e"', 'f g', '|', 'h', '&&', 'i', 'j']);
    });
  });

  describe('secrets in text', function () {
    it('JSON and code values of secret-named keys', function () {
      assert.deepEqual(redactArgv(['app', '{"user": "bob", "password": "jsonPW", "api_key":"k", "nested": {"token": "t"}}']),
        ['app', `{"user": "bob", "password": "${X}", "api_key":"${X}", "nested": {"token": "${X}"}}`]);
      assert.equal(redactText(`requests.get(u, headers={'Authorization': 'Bearer t'}, auth=('u', 'p'))`), `requests.get(u, headers={'Authorization': '${X}'}, auth=('u', 'p'))`);
    });
    it('query parameters, mount options, Bearer anywhere', function () {
      assert.equal(redactText('https://h/cb?access_token=tok&state=1&X-Amz-Signature=abc'), `https://h/cb?access_token=${X}&state=1&X-Amz-Signature=${X}`);
      assert.equal(redactText('username=u,password=mnt,uid=1'), `username=u,password=${X},uid=1`);
      assert.equal(redactText('send Bearer abc.def to h'), `send Bearer ${X} to h`);
    });
    it('AWS access key ids, provider tokens and URL credentials anywhere', function () {
      assert.equal(redactText('key AKIAIOSFODNN7EXAMPLE used'), `key ${X} used`);
      assert.equal(redactText('https://bob:s3cret@example.com/x'), `https://bob:${X}@example.com/x`);
      assert.equal(redactText('redis://:pw@h:6379'), `redis://:${X}@h:6379`);
      assert.deepEqual(redactArgv(['git', 'clone', 'https://u:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/r']), ['git', 'clone', `https://u:${X}@github.com/r`]);
    });
    it('leaves ordinary text alone and is stable when applied again', function () {
      for (const s of ['ls -la', 'gcc -O2 -o out main.c', 'http://localhost:8080/a?b=1', 'key: value', 'author: me', 'if [ "$x" = 1 ]; then echo ok; fi']) {
        assert.equal(redactCommandLine(s), s);
      }
      const once = redactArgv(['sh', '-c', 'mysql -p x -pY; curl -u a:b -H "Cookie: c=1" h', '{"password": "p"}']);
      assert.deepEqual(redactArgv(once), once);
    });
  });

  it('processes/list shows command lines redacted (a real process)', async function () {
    const child = spawn('/bin/sh', ['-c', 'read x', 'sh', '--password', 'hunter2', '-p', '8080'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const listed = listProcesses().find((p) => p.pid === child.pid);
      assert.equal(listed?.cmdline, `/bin/sh -c read x sh --password ${X} -p 8080`);
    } finally {
      child.kill();
    }
  });

  it('environment values', function () {
    assert.deepEqual(redactEnv({ A: '1', SECRET: 'x' }), { A: X, SECRET: X });
  });

  it('the README lists every program with password options', function () {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = /<!-- redaction:start -->([\s\S]*)<!-- redaction:end -->/.exec(readme)?.[1];
    assert.ok(section, 'README.md has a redaction section between <!-- redaction:start --> and <!-- redaction:end -->');
    const missing = PROGRAM_RULES.flatMap((r) => r.programs).filter((p) => !section.includes(`\`${p}\``));
    assert.deepEqual(missing, [], 'programs of PROGRAM_RULES missing from the README redaction section');
  });
});
