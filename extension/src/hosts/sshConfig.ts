/*
 * The hosts a user can pick in "Connect to Remote Host…": the Host entries of
 * ~/.ssh/config (and the files it Includes) that name one host, not a pattern,
 * each with the HostName, User and Port ssh would use for it (first value
 * obtained wins, as ssh_config(5) says).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A host of the user's ssh configuration. */
export interface SshConfigHost {
  /** the name written after Host: what ssh is given */
  alias: string;
  hostName?: string;
  user?: string;
  port?: string;
  /** where it is written, for the pick's tooltip */
  file: string;
  line: number;
}

/** The file reads the parser needs (node:fs in the extension, a folder of test files in tests). */
export interface SshConfigFiles {
  /** the file's text, or undefined when it does not exist or cannot be read */
  read(file: string): Promise<string | undefined>;
  /** names in a folder, or [] */
  list(dir: string): Promise<string[]>;
}

/** The files of this machine. */
export const diskFiles: SshConfigFiles = {
  read: (file) => fs.promises.readFile(file, 'utf8').catch(() => undefined),
  list: (dir) => fs.promises.readdir(dir).catch(() => []),
};

/** ssh's own limit on nested Include (READCONF_MAX_DEPTH). */
export const MAX_INCLUDE_DEPTH = 16;

/** One Host (or Match) block: its patterns, and the options written under it in order. */
interface Block {
  /** undefined: options before any Host line (apply to every host); null: a Match block (not evaluated) */
  patterns: string[] | undefined | null;
  options: [key: string, value: string][];
}

/** Splits a config line into its keyword and arguments ("Key value", "Key=value", double quotes kept together). */
export function splitConfigLine(line: string): { key: string; args: string[] } | undefined {
  const text = line.trim();
  if (!text || text.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(text);
  if (!m) return undefined;
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let a = re.exec(m[2]); a; a = re.exec(m[2])) {
    const word = a[1] ?? a[2];
    if (a[2]?.startsWith('#')) break;
    args.push(word);
  }
  return { key: m[1].toLowerCase(), args };
}

/** Whether `name` matches an ssh pattern (`*` any run of characters, `?` one character). */
export function matchesPattern(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Whether a Host line's patterns select `name`: one positive match and no negated (!) match. */
function hostLineMatches(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchesPattern(name, p.slice(1))) return false;
    } else if (matchesPattern(name, p)) {
      matched = true;
    }
  }
  return matched;
}

const hasWildcard = (p: string) => /[*?!]/.test(p);

/** Files an Include argument names: ~ expanded, relative to ~/.ssh, wildcards matched per path segment, sorted. */
async function includedFiles(arg: string, home: string, files: SshConfigFiles): Promise<string[]> {
  const expanded = arg.startsWith('~/') ? path.join(home, arg.slice(2)) : arg;
  const full = path.isAbsolute(expanded) ? expanded : path.join(home, '.ssh', expanded);
  if (!/[*?]/.test(full)) return [full];
  const parts = full.split('/').filter(Boolean);
  let found = ['/'];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?]/.test(part)) next.push(path.join(dir, part));
      else for (const name of (await files.list(dir)).sort()) if (!name.startsWith('.') && matchesPattern(name, part)) next.push(path.join(dir, name));
    }
    found = next;
  }
  return found;
}

/**
 * Reads `file` (normally ~/.ssh/config) and what it Includes, and lists its
 * Host entries that name one host (no *, ? or !), in the order written, each
 * once. A missing file gives no hosts; `problems` names Includes nested too deep.
 */
export async function readSshConfigHosts(file: string, home: string, files: SshConfigFiles): Promise<{ hosts: SshConfigHost[]; problems: string[] }> {
  const blocks: Block[] = [{ patterns: undefined, options: [] }];
  const aliases: { alias: string; file: string; line: number }[] = [];
  const problems: string[] = [];

  const readFile = async (name: string, depth: number): Promise<void> => {
    const text = await files.read(name);
    if (text === undefined) return;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const parsed = splitConfigLine(lines[i]);
      if (!parsed) continue;
      const { key, args } = parsed;
      if (key === 'host') {
        blocks.push({ patterns: args, options: [] });
        for (const alias of args) if (!hasWildcard(alias)) aliases.push({ alias, file: name, line: i + 1 });
      } else if (key === 'match') {
        blocks.push({ patterns: null, options: [] });
      } else if (key === 'include') {
        if (depth + 1 > MAX_INCLUDE_DEPTH) {
          problems.push(`${name}:${i + 1}: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?); not followed.`);
          continue;
        }
        const outer = blocks[blocks.length - 1];
        for (const arg of args) for (const inc of await includedFiles(arg, home, files)) await readFile(inc, depth + 1);
        // the lines after the Include belong to the block it was written in again
        if (blocks[blocks.length - 1] !== outer) blocks.push({ patterns: outer.patterns, options: [] });
      } else if (args.length > 0) {
        blocks[blocks.length - 1].options.push([key, args[0]]);
      }
    }
  };
  await readFile(file, 0);

  const seen = new Set<string>();
  const hosts: SshConfigHost[] = [];
  for (const a of aliases) {
    if (seen.has(a.alias)) continue;
    seen.add(a.alias);
    const values = new Map<string, string>();
    for (const b of blocks) {
      if (b.patterns === null || (b.patterns !== undefined && !hostLineMatches(a.alias, b.patterns))) continue;
      for (const [k, v] of b.options) if (!values.has(k)) values.set(k, v);
    }
    hosts.push({
      alias: a.alias, file: a.file, line: a.line,
      ...(values.has('hostname') ? { hostName: values.get('hostname')!.replace(/%h/g, a.alias) } : {}),
      ...(values.has('user') ? { user: values.get('user') } : {}),
      ...(values.has('port') ? { port: values.get('port') } : {}),
    });
  }
  return { hosts, problems };
}
