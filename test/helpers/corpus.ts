// The source-linking corpus (test/fixtures/corpus): programs in C, C++, Go, Rust,
// Node (sync and async), TypeScript and Python whose lines marked
// `@lens KIND NAME [CALL]` each make the syscall of one KIND event named NAME
// (a file's name, an exec's argument, a looked-up host, a peer address); CALL is
// the text the line's column points at (absent where the language has none; a
// CALL ending in `(` points at that parenthesis, where g++ places a call).
// Builds each program, runs it under `runtime-lens trace --json --stacks` and
// scores every marked line: is it the event's source, file:line(:column), exactly?
// Shared by test/integration/source-corpus.test.ts and the benchmark.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { LensEvent } from '../../remote-agent/src/protocol';
import { NODE, PYTHON, scratchDir } from './fixtures';
import { fresh, nativeFixture, run } from './native-stacks';
import { FIXTURES, REPO_ROOT, TEST_OUTPUT } from './paths';
import { trace, type CliResult } from './trace';

export const CORPUS = realpathSync(path.join(FIXTURES, 'corpus'));
const OUT = path.join(TEST_OUTPUT, 'fixtures', 'corpus');

/** The languages the corpus measures, each with its own accuracy figure. */
export const LANGUAGES = ['C', 'C++', 'Go', 'Rust', 'Node sync', 'Node async', 'TypeScript', 'Python'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One marked line: the event it must cause and where that event's source must point. */
export interface Marker {
  file: string;
  line: number;
  /** 1-based column of CALL on the line; undefined for a language without columns */
  column?: number;
  kind: string;
  name: string;
}

/** A program of the corpus: its language, its marked sources and how to build and run it. */
export interface CorpusProgram {
  id: string;
  language: Language;
  /** the sources holding its markers */
  sources: string[];
  /** builds it when needed; the command to run, to which the scratch folder is appended */
  command(): string[];
}

const MARKER = /^(.*?)(?:\/\/|#) @lens (\S+) (\S+)(?: (\S+))?\s*$/;

/** The markers of one source file, in line order. */
export function markersOf(file: string): Marker[] {
  const found: Marker[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    const m = MARKER.exec(text);
    if (!m) return;
    const [, code, kind, name, call] = m;
    const at = call ? code.indexOf(call) : -1;
    if (call && at < 0) throw new Error(`${file}:${i + 1}: the marker names ${call}, which is not on the line`);
    const column = call ? at + 1 + (call.endsWith('(') ? call.length - 1 : 0) : undefined;
    found.push({ file, line: i + 1, column, kind, name });
  });
  return found;
}

function src(...parts: string[]): string {
  return path.join(CORPUS, ...parts);
}

/** The TypeScript program compiled by tsc (a .js and .js.map per source) or bundled by esbuild (one of each). */
function typescript(by: 'tsc' | 'esbuild'): string[] {
  const sources = [src('ts', 'app.ts'), src('ts', 'settings.ts')];
  const out = path.join(OUT, `ts-${by}`);
  const entry = path.join(out, 'app.js');
  if (!fresh(`${entry}.map`, [...sources, src('ts', 'tsconfig.json')])) {
    const bin = path.join(REPO_ROOT, 'node_modules', '.bin', by);
    if (by === 'tsc') run(bin, ['-p', src('ts'), '--outDir', out], 'compiling the TypeScript corpus with tsc');
    else run(bin, [sources[0], '--bundle', '--platform=node', '--format=cjs', '--sourcemap', `--outfile=${entry}`, '--log-level=warning'], 'bundling the TypeScript corpus with esbuild');
  }
  return [NODE, entry];
}

/** The newest pyenv build of Python 3.12 or later, when this machine has one (MACHINE.md: pyenv has 3.12 and 3.13). */
function newerPython(): string | undefined {
  const root = path.join(process.env.PYENV_ROOT ?? '/root/.pyenv', 'versions');
  const v = (existsSync(root) ? readdirSync(root) : [])
    .filter((n) => /^3\.(1[2-9]|[2-9]\d)\.\d+$/.test(n))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .at(-1);
  return v && existsSync(path.join(root, v, 'bin', 'python3')) ? path.join(root, v, 'bin', 'python3') : undefined;
}

function python(interpreter: string, id: string): CorpusProgram {
  return { id, language: 'Python', sources: [src('python', 'corpus.py'), src('python', 'store.py')], command: () => [interpreter, src('python', 'corpus.py')] };
}

/** Every program of the corpus this machine can run (Python: Debian's, and the newest pyenv build when there is one). */
export function corpusPrograms(): CorpusProgram[] {
  const native = (id: string, language: Language, source: string, compiler: 'gcc' | 'g++' | 'go' | 'rustc', flags: string[]): CorpusProgram =>
    ({ id, language, sources: [src(source)], command: () => [nativeFixture(`corpus-${id}`, path.join('corpus', source), compiler, flags)] });
  const newer = newerPython();
  return [
    native('c', 'C', 'c/corpus.c', 'gcc', ['-O2', '-g', '-fomit-frame-pointer', '-pthread']),
    native('cpp', 'C++', 'cpp/corpus.cpp', 'g++', ['-O2', '-g']),
    native('go', 'Go', 'go/corpus.go', 'go', []),
    native('rust', 'Rust', 'rust/corpus.rs', 'rustc', ['-C', 'opt-level=2', '-g']),
    { id: 'node-sync', language: 'Node sync', sources: [src('node', 'sync.js'), src('node', 'store.js')], command: () => [NODE, src('node', 'sync.js')] },
    { id: 'node-async', language: 'Node async', sources: [src('node', 'async.js')], command: () => [NODE, src('node', 'async.js')] },
    { id: 'ts-tsc', language: 'TypeScript', sources: [src('ts', 'app.ts'), src('ts', 'settings.ts')], command: () => typescript('tsc') },
    { id: 'ts-esbuild', language: 'TypeScript', sources: [src('ts', 'app.ts'), src('ts', 'settings.ts')], command: () => typescript('esbuild') },
    python(PYTHON, `python-${path.basename(realpathSync(PYTHON)).replace(/^python/, '')}-debian`),
    ...(newer ? [python(newer, `python-${path.basename(path.dirname(path.dirname(newer)))}`)] : []),
  ];
}

/** What one marked line got. */
export interface Score {
  marker: Marker;
  /** `file:line[:column]` expected */
  want: string;
  /** the same of the event's source, or why there is none */
  got: string;
  exact: boolean;
  event?: LensEvent;
}

const FILE_KINDS = new Set(['open', 'unlink', 'rmdir', 'rename', 'mkdir', 'chmod', 'chown', 'truncate', 'link', 'symlink', 'chdir']);

/** The names an event answers to in markers: a file's name, an exec's arguments, a looked-up host, a socket's path or peer address. */
function namesOf(e: LensEvent): string[] {
  const f = e as unknown as Record<string, unknown>;
  if (FILE_KINDS.has(e.kind)) return typeof f.path === 'string' ? [path.basename(f.path)] : [];
  if (e.kind === 'exec') return Array.isArray(f.argv) ? (f.argv as string[]).slice(1) : [];
  if (e.kind === 'dns') return typeof f.name === 'string' ? [f.name] : [];
  return [f.path, f.daddr, f.saddr].filter((v): v is string => typeof v === 'string').map((v) => (v.startsWith('/') ? path.basename(v) : v));
}

function where(file: string, line: number, column?: number): string {
  return `${path.relative(REPO_ROOT, file)}:${line}${column ? `:${column}` : ''}`;
}

/**
 * Scores each marker of `sources` against the events: markers with the same kind and name
 * take the events of that kind and name in time order, in the order of their lines.
 */
export function score(sources: string[], events: LensEvent[]): Score[] {
  const markers = sources.flatMap(markersOf);
  const byKey = new Map<string, LensEvent[]>();
  for (const e of events) {
    for (const n of namesOf(e)) {
      const key = `${e.kind} ${n}`;
      byKey.set(key, [...(byKey.get(key) ?? []), e]);
    }
  }
  const taken = new Map<string, number>();
  return markers.map((marker) => {
    const key = `${marker.kind} ${marker.name}`;
    const i = taken.get(key) ?? 0;
    taken.set(key, i + 1);
    const event = [...(byKey.get(key) ?? [])].sort((a, b) => a.ts - b.ts)[i];
    const want = where(marker.file, marker.line, marker.column);
    if (!event) return { marker, want, got: `no ${key} event`, exact: false };
    const s = event.source;
    const got = s ? where(s.file, s.line, marker.column === undefined ? undefined : s.column) : `no source (${event.stack_error ?? firstReason(event) ?? 'no frame in the program\'s own code'})`;
    return { marker, want, got, exact: got === want, event };
  });
}

function firstReason(e: LensEvent): string | undefined {
  return e.frames?.find((f) => f.reason)?.reason;
}

/** One run of a corpus program under `runtime-lens trace --json --stacks`, in a fresh scratch folder. */
export async function runProgram(p: CorpusProgram): Promise<{ result: CliResult; scores: Score[] }> {
  const command = p.command();
  const dir = realpathSync(scratchDir(`corpus-${p.id}`));
  mkdirSync(dir, { recursive: true });
  const result = await trace([...command, dir], ['--stacks'], { cwd: dir, timeoutMs: 60_000 });
  return { result, scores: score(p.sources, result.events) };
}
