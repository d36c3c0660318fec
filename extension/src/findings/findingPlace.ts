/*
 * Where a finding is shown in the editor: at its source line (from the
 * stack), else on the workspace file that started the program — the
 * package.json script an npm/yarn/pnpm command ran, the launch
 * configuration of a debug session, or the script given to an interpreter.
 */
import * as path from 'node:path';
import type { FindingEvent, SessionTarget } from '../../../remote-agent/src/protocol';

/** A place in a local file (1-based line and column). */
export interface Place {
  file: string;
  line: number;
  column?: number;
}

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'npx', 'bun']);
const INSTALL_COMMANDS = new Set(['install', 'i', 'ci', 'add', 'rebuild']);
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
const SCRIPT_FILE = /\.(c|m)?(js|ts)$|\.py$|\.sh$|\.rb$|\.pl$/;
/* Commands that run the command after them (`env HOME=/tmp/h npm install`, `sudo -E npm ci`): their options and VAR=value words are theirs. */
const WRAPPERS = new Set(['env', 'sudo', 'nice', 'nohup', 'time', 'command', 'stdbuf']);
/* Their options that take the next word as a value. */
const VALUE_OPTIONS: Record<string, readonly string[]> = { env: ['-u', '-C', '-S'], sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U'], nice: ['-n'] };

/** The command a wrapper runs: the argv from its first word that is not the wrapper's own. */
function unwrapped(argv: readonly string[]): readonly string[] {
  let rest = argv;
  while (rest.length > 1 && WRAPPERS.has(path.basename(rest[0]))) {
    const valued = VALUE_OPTIONS[path.basename(rest[0])] ?? [];
    let i = 1;
    while (i < rest.length && (rest[i].startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[i]))) i += valued.includes(rest[i]) ? 2 : 1;
    rest = rest.slice(i);
  }
  return rest;
}

/** The 1-based line of the first line matching `re`, or undefined. */
function lineOf(text: string, re: RegExp): number | undefined {
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The workspace file that started a session's program, or undefined. `read` gives a local file's
 * text (undefined when it cannot be read); `workspace` is the folder a launch without a cwd ran in.
 */
export function originOf(target: SessionTarget, read: (file: string) => string | undefined, workspace?: string): Place | undefined {
  if (target.kind === 'debug') {
    if (!workspace) return undefined;
    const file = path.join(workspace, '.vscode', 'launch.json');
    const text = read(file);
    if (text === undefined) return undefined;
    return { file, line: lineOf(text, new RegExp(`"name"\\s*:\\s*"${escape(target.name)}"`)) ?? 1 };
  }
  if (target.kind !== 'launch') return undefined;
  const cwd = target.cwd ?? workspace;
  if (!cwd) return undefined;
  const [prog, ...args] = unwrapped(target.command);
  const name = path.basename(prog ?? '');
  if (PACKAGE_MANAGERS.has(name)) {
    const file = path.join(cwd, 'package.json');
    const text = read(file);
    if (text === undefined) return undefined;
    const sub = args.find((a) => !a.startsWith('-'));
    const scripts = sub === 'run' || sub === 'run-script' ? [args[args.indexOf(sub) + 1]] : sub === undefined || INSTALL_COMMANDS.has(sub) ? INSTALL_SCRIPTS : [sub];
    for (const s of scripts) {
      const line = s ? lineOf(text, new RegExp(`^\\s*"${escape(s)}"\\s*:`)) : undefined;
      if (line) return { file, line };
    }
    return { file, line: lineOf(text, /"(dependencies|scripts)"\s*:/) ?? 1 };
  }
  const script = args.find((a) => SCRIPT_FILE.test(a));
  if (script) {
    const file = path.resolve(cwd, script);
    if (read(file) !== undefined) return { file, line: 1 };
  }
  return undefined;
}

/** Where to show a finding: its source line (mapped to a local path), else the origin. */
export function findingPlace(f: FindingEvent, origin: Place | undefined, localPath: (file: string) => string = (p) => p): Place | undefined {
  const src = f.source;
  if (src) return { file: localPath(src.file), line: src.line, ...(src.column ? { column: src.column } : {}) };
  return origin;
}
