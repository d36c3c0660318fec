import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostPickItems } from '../../../extension/src/commands/connectRemote';
import { diskFiles, MAX_INCLUDE_DEPTH, readSshConfigHosts, splitConfigLine, type SshConfigHost } from '../../../extension/src/hosts/sshConfig';
import { pathMappingsFor, readSettings } from '../../../extension/src/settings';
import { parseHostTarget } from '../../../remote-agent/src/remote/host-target';

/*
 * "Connect to Remote Host…" offers the hosts of ~/.ssh/config: real files in a
 * temporary home, Includes followed as ssh follows them.
 */
describe('ssh config hosts', () => {
  let home: string;
  const write = (rel: string, text: string) => {
    const file = path.join(home, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const hosts = async () => readSshConfigHosts(path.join(home, '.ssh', 'config'), home, diskFiles);

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-sshconfig-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('lists Host entries that name one host, with the HostName, User and Port ssh would use', async () => {
    write('.ssh/config', [
      '# my hosts',
      'Host staging prod-*  !prod-old',
      '    HostName 10.0.0.5',
      '    User deploy',
      'Host build build2',
      '  Port=2222',
      '  hostname "build.internal"',
      'Host *.corp',
      '  User corp',
      'Host *',
      '  User fallback',
      '  Port 22',
    ].join('\n'));
    const { hosts: found, problems } = await hosts();
    assert.deepEqual(problems, []);
    assert.deepEqual(found.map((h) => [h.alias, h.hostName, h.user, h.port]), [
      ['staging', '10.0.0.5', 'deploy', '22'],
      ['build', 'build.internal', 'fallback', '2222'],
      ['build2', 'build.internal', 'fallback', '2222'],
    ]);
    assert.equal(found[1].line, 5);
  });

  it('follows Include: relative to ~/.ssh, ~ expanded, wildcards sorted, lines after it back in their block', async () => {
    write('.ssh/config', [
      'Include config.d/*.conf ~/extra/hosts',
      'Host gateway',
      '  Include gw-options',
      '  User admin',
      'Host after',
    ].join('\n'));
    write('.ssh/config.d/b.conf', 'Host bravo\n  User b\n');
    write('.ssh/config.d/a.conf', 'Host alpha\n');
    write('.ssh/config.d/ignored.txt', 'Host not-included\n');
    write('extra/hosts', 'Host extra-host\n');
    write('.ssh/gw-options', 'Port 2200\nHost inner\n');
    const { hosts: found } = await hosts();
    assert.deepEqual(found.map((h) => h.alias), ['alpha', 'bravo', 'extra-host', 'gateway', 'inner', 'after']);
    const gateway = found.find((h) => h.alias === 'gateway')!;
    assert.equal(gateway.port, '2200');
    assert.equal(gateway.user, 'admin', 'the User after the Include applies to gateway again');
    assert.equal(found.find((h) => h.alias === 'inner')!.user, undefined, 'the User after the Include is not inner\'s');
    assert.equal(found.find((h) => h.alias === 'bravo')!.file, path.join(home, '.ssh/config.d/b.conf'));
  });

  it('stops an Include loop at ssh\'s depth and says so; a missing config or Include gives no hosts', async () => {
    assert.deepEqual(await hosts(), { hosts: [], problems: [] });
    write('.ssh/config', 'Include missing-file\nInclude loop\nHost top\n');
    write('.ssh/loop', 'Host looped\nInclude loop\n');
    const { hosts: found, problems } = await hosts();
    assert.deepEqual(found.map((h) => h.alias), ['looped', 'top']);
    assert.equal(problems.length, 1);
    assert.match(problems[0], new RegExp(`loop:2: Include nested more than ${MAX_INCLUDE_DEPTH} deep`));
  });

  it('splits lines as ssh does: Key value, Key=value, quotes, comments', () => {
    assert.deepEqual(splitConfigLine('  IdentityFile "/home/me/my key"  # work'), { key: 'identityfile', args: ['/home/me/my key'] });
    assert.deepEqual(splitConfigLine('Port=22'), { key: 'port', args: ['22'] });
    assert.equal(splitConfigLine('   # just a comment'), undefined);
    assert.equal(splitConfigLine(''), undefined);
  });
});

describe('typed remote host', () => {
  it('reads [user@]host[:port], IPv6 in brackets', () => {
    assert.deepEqual(parseHostTarget(' deploy@10.0.0.5:2222 '), { target: 'deploy@10.0.0.5:2222', user: 'deploy', host: '10.0.0.5', port: 2222 });
    assert.deepEqual(parseHostTarget('staging'), { target: 'staging', host: 'staging' });
    assert.deepEqual(parseHostTarget('root@[fd00::2]:22'), { target: 'root@[fd00::2]:22', user: 'root', host: 'fd00::2', port: 22 });
  });

  it('says what is wrong with a bad target and what is expected', () => {
    const error = (t: string) => {
      const r = parseHostTarget(t);
      assert.ok('error' in r, `${t} should be refused`);
      return r.error;
    };
    assert.match(error(''), /No host given; expected \[user@\]host\[:port\]/);
    assert.match(error('host:99999'), /"99999" is not a port; expected a number from 1 to 65535/);
    assert.match(error('my host'), /contains a space/);
    assert.match(error('-oProxyCommand=x'), /read as an option/);
    assert.match(error('fd00::2'), /IPv6 address in brackets/);
    assert.match(error('a b@c'), /space/);
    assert.match(error('us:er@host'), /is not a user name/);
  });
});

describe('Connect to Remote Host pick', () => {
  const config: SshConfigHost[] = [
    { alias: 'staging', hostName: '10.0.0.5', user: 'deploy', file: '/home/me/.ssh/config', line: 2 },
    { alias: 'build', file: '/home/me/.ssh/config', line: 7 },
  ];

  it('lists the config hosts with where they lead and which are connected', () => {
    const rows = hostPickItems(config, '', new Map([['build', 'connected']]));
    assert.deepEqual(rows.map((r) => [r.label, r.description, r.target]), [['staging', 'deploy@10.0.0.5', 'staging'], ['build', 'connected', 'build']]);
  });

  it('offers a typed [user@]host[:port] first, or says why it is not a host', () => {
    assert.deepEqual(hostPickItems(config, 'root@10.0.0.9:2222', new Map())[0], { label: 'root@10.0.0.9:2222', description: 'connect to the host typed', target: 'root@10.0.0.9:2222', alwaysShow: true });
    const bad = hostPickItems(config, 'root@host:0', new Map())[0];
    assert.equal(bad.target, undefined);
    assert.match(bad.detail ?? '', /"0" is not a port/);
    assert.equal(hostPickItems(config, 'staging', new Map()).length, 2, 'a config host typed in full is not offered twice');
  });
});

describe('remote host settings', () => {
  it('reads per-host path mappings and ssh options, naming bad entries', () => {
    const values: Record<string, unknown> = {
      pathMappings: { '/srv': '/home/me/srv' },
      remotePathMappings: { 'deploy@staging': { '/srv/app': '${workspaceFolder}' }, bad: { relative: '/x' } },
      sshOptions: ['IdentityFile=~/.ssh/staging', 'StrictHostKeyChecking yes', '-oProxyCommand=evil', 42],
    };
    const { settings, problems } = readSettings({ get: ((key: string, dflt?: unknown) => values[key] ?? dflt) as never }, '/tmp/sessions', '/work/app');
    assert.deepEqual(settings.sshOptions, ['IdentityFile=~/.ssh/staging', 'StrictHostKeyChecking yes']);
    assert.deepEqual(pathMappingsFor(settings, 'deploy@staging'), [{ from: '/srv/app', to: '/work/app' }, { from: '/srv', to: '/home/me/srv' }]);
    assert.deepEqual(pathMappingsFor(settings, undefined), [{ from: '/srv', to: '/home/me/srv' }]);
    assert.deepEqual(pathMappingsFor(settings, 'other'), [{ from: '/srv', to: '/home/me/srv' }]);
    assert.equal(problems.length, 3);
    assert.match(problems[0], /runtimeLens\.remotePathMappings\["bad"\]: "relative" must be an absolute path/);
    assert.match(problems[1], /"-oProxyCommand=evil" is not an ssh option; expected "Key=value"/);
    assert.match(problems[2], /42 is not an ssh option/);
  });
});
