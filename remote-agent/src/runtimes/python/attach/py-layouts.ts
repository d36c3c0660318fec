/*
 * The struct layouts of the CPython versions this agent was built for:
 * python-offsets.json, made at build time by compiling
 * remote-agent/native/python/offsets.c against each version's own headers
 * (remote-agent/native/python/offsets.sh). Found as $LENS_PYTHON_OFFSETS,
 * next to the agent bundle, or in the repository's build output.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One version's facts, as offsets.c prints them (byte offsets, masks; 3.13+: where _Py_DebugOffsets keeps the walk's). */
export interface PyLayout {
  version_hex: number;
  version: string;
  ob_type: number;
  code_filename: number; code_name: number; code_qualname: number; code_firstlineno: number; code_linetable: number; code_adaptive: number;
  bytes_size: number; bytes_data: number;
  unicode_length: number; unicode_state: number; unicode_ascii_size: number; unicode_compact_size: number;
  unicode_kind_mask: number; unicode_compact_mask: number; unicode_ascii_mask: number;
  frame_owned_by_cstack?: number;
  /* 3.11, 3.12 */
  runtime_interpreters_head?: number; interp_next?: number; interp_threads_head?: number; thread_next?: number;
  thread_native_thread_id?: number; thread_cframe?: number; cframe_current_frame?: number;
  frame_code?: number; frame_previous?: number; frame_instr?: number; frame_owner?: number;
  /* 3.13+ */
  debug_cookie?: number; debug_version?: number; debug_free_threaded?: number; debug_size?: number; debug_runtime_interpreters_head?: number;
  debug_interp_next?: number; debug_interp_threads_head?: number; debug_thread_next?: number; debug_thread_native_thread_id?: number;
  debug_thread_current_frame?: number; debug_frame_previous?: number; debug_frame_executable?: number;
  debug_frame_instr_ptr?: number; debug_frame_owner?: number;
}

const FILE = 'python-offsets.json';

/** Where the table is: $LENS_PYTHON_OFFSETS, else next to the bundle, else remote-agent/native/.output. */
export function locateLayouts(env: NodeJS.ProcessEnv = process.env, bundleDir = __dirname): string | undefined {
  if (env.LENS_PYTHON_OFFSETS) return path.resolve(env.LENS_PYTHON_OFFSETS);
  const candidates = [path.join(bundleDir, FILE), ...['..', '../..', '../../..', '../../../..'].map((up) => path.resolve(bundleDir, up, 'native/.output', FILE))];
  return candidates.find((p) => existsSync(p));
}

/** The layouts known to this agent, by version; throws saying what is missing. */
export function loadLayouts(file = locateLayouts()): PyLayout[] {
  if (!file) throw new Error(`${FILE} not found: build it with \`make -C remote-agent/native\` (it needs the CPython headers: apt-get install python3-dev) or set LENS_PYTHON_OFFSETS`);
  const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(v)) throw new Error(`${file} is not a list of CPython layouts`);
  return v as PyLayout[];
}

/** "3.11.2" for a PY_VERSION_HEX. */
export function versionText(hex: number): string {
  return `${(hex >>> 24) & 0xff}.${(hex >>> 16) & 0xff}.${(hex >>> 8) & 0xff}`;
}
