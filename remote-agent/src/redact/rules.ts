/*
 * What redaction hides, as data: the names that hold secrets, the programs whose
 * short options take passwords, and the token formats that are secret wherever
 * they appear. The README's "Redaction" section lists the same forms; a test
 * keeps the two in step.
 */

/** What a hidden value becomes. */
export const REDACTED = '***';

/**
 * A name (option, variable, JSON key, header, query parameter) holds a secret when
 * its last word — or its last two words run together — ends with one of these.
 * Words are split at `-`, `_`, `.`, spaces and camelCase: `DB_PASSWORD`, `PGPASSWORD`,
 * `--client-secret`, `apiKey`, `X-Api-Key`, `AWS_SECRET_ACCESS_KEY`, `Authorization`.
 */
export const SECRET_NAME_ENDINGS: readonly string[] = [
  'password', 'passwd', 'passphrase', 'passcode', 'pass', 'passin', 'passout', 'pw', 'pwd',
  'secret', 'token', 'bearer', 'auth', 'authorization', 'cookie', 'credential', 'credentials', 'creds',
  'apikey', 'accesskey', 'privatekey', 'secretkey', 'masterkey', 'signingkey', 'encryptionkey', 'accountkey', 'licensekey',
  'privkey', 'sessionid', 'sessid', 'signature', 'sig',
];

/** Last words that end like a secret name but are not one (`--cache-bypass`). */
export const NOT_SECRET_WORDS: readonly string[] = ['bypass', 'compass', 'surpass', 'trespass', 'overpass', 'underpass'];

/** Whole names that end like a secret name but are not one (the working directory variables). */
export const NOT_SECRET_NAMES: readonly string[] = ['pwd', 'oldpwd'];

/**
 * First words that make a secret-named option a switch without a value:
 * `--no-password`, `--ask-pass`, `--prompt-password` (`--password-stdin` ends with a word that is no secret).
 */
export const SWITCH_FIRST_WORDS: readonly string[] = ['no', 'ask', 'prompt'];

/**
 * Options of particular programs whose value is a secret, where the generic
 * name rule cannot know it (`-p` is a password to mysql, a port to ssh, a
 * parent flag to mkdir). A program's options apply from the word naming it —
 * argv[0], or a later word whose base name is the program (after sudo, env,
 * ssh HOST, docker exec C, xargs, or in a shell string) — until the next
 * program word or shell operator. `docker login` style entries apply from the
 * subcommand on.
 */
export interface ProgramRule {
  /** base names, version suffixes ignored (`mysql8.0` is `mysql`) */
  programs: readonly string[];
  /** the value is a secret: `-p VALUE`, `-pVALUE`, `--opt VALUE`, `--opt=VALUE` */
  secret?: readonly string[];
  /** like `secret`, but a bare option prompts: the next word is hidden only if it is not an option */
  optionalValue?: readonly string[];
  /** the value is only ever attached (`-pVALUE`); a bare option prompts and the next word is not its value */
  attachedOnly?: readonly string[];
  /** the value is `user<separator>password`: what follows the first separator is hidden */
  userinfo?: { options: readonly string[]; separator: string };
  /** the program runs a command given as its first operand: its options stop there (`sshpass -p x ssh -p 22 host`) */
  wrapper?: boolean;
}

export const PROGRAM_RULES: readonly ProgramRule[] = [
  {
    // -p takes an attached password; the word after a bare -p is a database name to mysql,
    // but it is most often a password typed the wrong way, so it is hidden too
    programs: ['mysql', 'mariadb', 'mysqldump', 'mysqladmin', 'mysqlcheck', 'mysqlimport', 'mysqlshow', 'mysqlslap',
      'mysqlpump', 'mysqlbinlog', 'mysqlsh', 'mariadb-dump', 'mariadb-admin', 'mariadb-check', 'mariadb-import',
      'mariadb-show', 'mariadb-slap', 'mariadb-binlog', 'mycli'],
    optionalValue: ['-p'],
  },
  { programs: ['sshpass'], secret: ['-p'], wrapper: true },
  { programs: ['mongo', 'mongosh', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport', 'mongostat', 'mongotop', 'mongofiles'], secret: ['-p'] },
  { programs: ['docker login', 'podman login', 'nerdctl login', 'buildah login', 'skopeo login', 'oc login', 'az login'], secret: ['-p'] },
  { programs: ['redis-cli'], secret: ['-a'] },
  { programs: ['ldapsearch', 'ldapadd', 'ldapmodify', 'ldapdelete', 'ldapmodrdn', 'ldapwhoami', 'ldapcompare', 'ldapexop'], secret: ['-w'] },
  { programs: ['ldappasswd'], secret: ['-w', '-a', '-s'] },
  { programs: ['zip', 'unzip', 'zipcloak'], secret: ['-P'] },
  { programs: ['7z', '7za', '7zr', 'rar', 'unrar'], attachedOnly: ['-p'] },
  { programs: ['sqlcmd', 'bcp', 'osql'], secret: ['-P'] },
  { programs: ['openssl'], secret: ['-k'] },
  { programs: ['ssh-keygen'], secret: ['-N', '-P'] },
  { programs: ['nmcli'], secret: ['password', 'psk', 'wifi-sec.psk', '802-1x.password'] },
  {
    programs: ['curl'], secret: ['-b'],
    userinfo: { options: ['-u', '--user', '-U', '--proxy-user', '-E', '--cert', '--proxy-cert'], separator: ':' },
  },
  { programs: ['http', 'https', 'xh', 'xhs'], userinfo: { options: ['-a', '--auth'], separator: ':' } },
  { programs: ['smbclient', 'rpcclient', 'smbcacls', 'smbget'], userinfo: { options: ['-U', '--user'], separator: '%' } },
  { programs: ['lftp'], userinfo: { options: ['-u', '--user'], separator: ',' } },
];

/** Provider token formats that are secret wherever they appear. */
export const TOKEN_FORMATS: readonly RegExp[] = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g, // GitHub fine-grained tokens
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack tokens
  /\bsk-[A-Za-z0-9_-]{20,}\b/g, // API secret keys in the sk-… form
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, // PEM private keys
];

/** Matches wherever one of TOKEN_FORMATS could (their fixed starts), so text without any is passed over quickly. */
export const TOKEN_HINT = /AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|sk-|eyJ|-----BEGIN/;

/** `scheme://user:password@` in URLs: the password is hidden, the user stays. */
export const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]{0,31}:\/\/[^/\s:@]*:)[^/\s@]+@/gi;

/** `Bearer TOKEN` anywhere (an Authorization value outside a header). */
export const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

/**
 * Environment variables whose values an exec event keeps when redaction is on (every other value
 * is REDACTED, every name kept): they say how programs are found and loaded — what the injection
 * and hijack rules look at — and hold no secrets by design.
 */
export const SAFE_ENV_NAMES: readonly string[] = [
  'PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP',
  'PERL5OPT', 'PERL5LIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'BASH_ENV', 'ENV', 'SHELL', 'HOME', 'PWD',
  'USER', 'LOGNAME', 'LANG', 'TERM', 'TMPDIR', 'npm_lifecycle_event', 'npm_package_name', 'npm_command',
];
