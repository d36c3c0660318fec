/*
 * Which frame of an event's stack is "its source": the line of the user's own
 * code that caused it. Shared by the agent (the `source` field), the extension
 * (decorations, with its workspace folders) and the webview.
 */
import type { Frame, SourceLocation } from '../protocol';

/* Path parts that mark code the user did not write: dependencies, language runtimes, standard libraries. */
const NOT_USER_CODE = [
  /\/node_modules\//, /\/(site|dist)-packages\//, /\/\.cargo\/registry\//, /\/go\/pkg\/mod\//, // dependencies
  /^\/usr\/(local\/)?lib(64|exec)?\//, /^\/lib(64)?\//, /^\/usr\/include\//, /^\/usr\/src\//, // system libraries, headers, sources
  /\/lib\/python\d+(\.\d+)?\//, /^\/rustc\//, /^\/usr\/local\/go\//, /\/\.pyenv\/versions\//, /\/\.nvm\/versions\//, // runtimes' own code
];

/** Whether a frame's code is a dependency's, a runtime's or a standard library's: by its file, and a native frame also by the file it is mapped from. */
export function isLibraryFrame(f: Frame): boolean {
  if (f.package) return true;
  if (f.kind === 'native' && f.module?.startsWith('/') && NOT_USER_CODE.some((re) => re.test(f.module!))) return true;
  const file = f.file ?? '';
  // node:fs, internal/…, <frozen importlib._bootstrap>, ../sysdeps/… (glibc's own relative paths)
  if (!file.startsWith('/')) return true;
  return NOT_USER_CODE.some((re) => re.test(file));
}

function inside(file: string, root: string): boolean {
  const r = root.endsWith('/') ? root : root + '/';
  return file.startsWith(r);
}

/**
 * The event's source: its innermost frame with a line that is in one of the workspace folders
 * (and not in a dependency there, e.g. node_modules); with no folders, or no frame in them, the
 * innermost frame with a line that is not in a runtime, the standard library or a dependency.
 * Outside the workspace, in a stack with JS or Python frames the native ones are the runtime's
 * (node's libuv, the interpreter, built with debug info or not): the source is a script frame.
 */
export function sourceFrame(frames: readonly Frame[] | undefined, workspaceFolders: readonly string[] = []): SourceLocation | undefined {
  if (!frames) return undefined;
  const lined = frames.filter((f): f is Frame & { file: string; line: number } => !!f.file && !!f.line);
  const scripted = frames.some((f) => f.kind === 'js' || f.kind === 'python');
  const pick = (workspaceFolders.length ? lined.find((f) => !isLibraryFrameInWorkspace(f) && workspaceFolders.some((w) => inside(f.file, w))) : undefined)
    ?? lined.find((f) => !isLibraryFrame(f) && !(scripted && f.kind === 'native'));
  if (!pick) return undefined;
  const s: SourceLocation = { file: pick.file, line: pick.line };
  if (pick.column) s.column = pick.column;
  if (pick.function) s.function = pick.function;
  return s;
}

/* Inside a workspace only dependencies are not the user's (a workspace may well live under /usr/src). */
function isLibraryFrameInWorkspace(f: Frame): boolean {
  return !!f.package || /\/node_modules\/|\/(site|dist)-packages\//.test(f.file ?? '');
}
