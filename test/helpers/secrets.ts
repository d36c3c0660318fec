// A real command whose argv carries every secret form redaction covers, for the
// tests that check no secret reaches NDJSON, the human output, session files or
// file names. mysql, curl and sshpass are /bin/true under those names (in a
// folder put first in PATH), so the command runs offline and exits 0.
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { scratchDir } from './fixtures';

/** Every secret the command carries; none may appear in redacted output. */
export const SECRETS = [
  'hunterP1', // mysql -p hunterP1
  'mysqlPW', // mysql -pmysqlPW
  'curlPW', // curl -u user:curlPW
  'hdrTOKEN', // --header=Authorization: Bearer hdrTOKEN
  'cookieSECRET', // -H 'Cookie: sid=cookieSECRET'
  'apikeySECRET', // -H 'X-Api-Key: apikeySECRET'
  'shTOKEN', // a bearer token inside an sh -c string
  'sshpassPW', // sshpass -p inside sh -c
  'jsonPW', // {"password": "jsonPW"}
  'hunter2', // --password=hunter2
  'urlPW', // https://bob:urlPW@example.com/
  'envPW', // DB_PASSWORD=envPW
] as const;

/** Arguments that look like the secret forms but are not secrets, and must stay. */
export const KEPT = ['-p 2222', '-p 8080', '-la', 'user:', 'bob:'];

/** The script of the outer `sh -c`: every form as a real exec, and again inside the shell string itself. */
const SCRIPT = [
  'mysql -u root -p hunterP1 db',
  'mysql -pmysqlPW',
  "curl -u user:curlPW '--header=Authorization: Bearer hdrTOKEN' -H 'Cookie: sid=cookieSECRET' -H 'X-Api-Key: apikeySECRET' http://127.0.0.1:9/",
  `sh -c "curl -H 'Authorization: Bearer shTOKEN' http://127.0.0.1:9/; sshpass -p sshpassPW ssh -p 2222 host"`,
  `true '{"password": "jsonPW"}' --password=hunter2 https://bob:urlPW@example.com/ DB_PASSWORD=envPW -p 8080 -la`,
].join('\n');

/** A folder with mysql, curl and sshpass standing for /bin/true; put it first in PATH. */
export function fakeClientsDir(): string {
  const dir = path.join(scratchDir('secrets'), 'bin');
  mkdirSync(dir);
  for (const name of ['mysql', 'curl', 'sshpass']) symlinkSync('/bin/true', path.join(dir, name));
  return dir;
}

/** `sh -c SCRIPT` with the secrets also as its own arguments ($0, $1…). */
export function secretCommand(): string[] {
  return ['/bin/sh', '-c', SCRIPT, 'sh', '--token', 'hdrTOKEN', '{"password": "jsonPW"}'];
}

/** The secrets found in `text` (an empty list when redaction held). */
export function leakedSecrets(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}
