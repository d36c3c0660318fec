/*
 * Which package a stack frame's code belongs to: `node_modules/<name>` (scoped
 * names included), Python's `site-packages/<name>` (or Debian's
 * `dist-packages`), or a native shared library by soname. The agent may name
 * it (`frame.package`); otherwise it is read from the frame's file or module.
 * Shared by the filter's `pkg:`, the Dependencies view and its export.
 */
import type { Frame, LensEvent } from '../protocol';

/** The ecosystem a package comes from. */
export type PackageKind = 'node' | 'python' | 'native';

/** One package, as the views name it. */
export interface PackageRef {
  name: string;
  kind: PackageKind;
}

const NODE_MODULES = /(?:^|[/\\])node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)/g;
const SITE_PACKAGES = /(?:^|[/\\])(?:site|dist)-packages[/\\]([^/\\]+)/;
const SONAME = /(?:^|\/)(lib[^/]*\.so(?:\.[\d.]+)?)$/;

/**
 * The C runtime every native call passes through, and the interpreters' own libraries: not
 * dependencies a program chose, so they would stand in every stack and say nothing.
 */
const RUNTIME_LIBRARIES = /^(?:libc|libpthread|libdl|librt|libm|libresolv|libstdc\+\+|libgcc_s|libnode|libpython[\d.]*|libuv|ld-linux[\w.-]*|ld64)\.so/;

/** A Python file's package: the directory or module under site-packages, without .py and version suffixes. */
function pythonName(entry: string): string {
  return entry.replace(/\.py[cd]?$/, '').replace(/-[\d.]+\.(?:dist|egg)-info$/, '');
}

/** The package of a path (a frame's file or module), or undefined for the user's own code, the runtime and the standard library. */
export function packageOfPath(file: string): PackageRef | undefined {
  // the innermost node_modules/<name> is the package whose code it is (a dependency's own dependencies nest)
  let node: string | undefined;
  for (const m of file.matchAll(NODE_MODULES)) node = m[1];
  if (node) return { name: node.replace(/\\/g, '/'), kind: 'node' };
  const py = SITE_PACKAGES.exec(file);
  if (py) return { name: pythonName(py[1]), kind: 'python' };
  const so = SONAME.exec(file);
  if (so && !RUNTIME_LIBRARIES.test(so[1])) return { name: so[1], kind: 'native' };
  return undefined;
}

/** The package a frame's code belongs to: as the agent named it, else from its file, else from its module. */
export function framePackage(f: Frame): PackageRef | undefined {
  if (f.package) return { name: f.package, kind: f.kind === 'js' ? 'node' : f.kind === 'python' ? 'python' : 'native' };
  return (f.file ? packageOfPath(f.file) : undefined) ?? (f.module ? packageOfPath(f.module) : undefined);
}

/**
 * The packages an event is attributed to: every package with a frame on its stack, each once,
 * innermost first. A dependency that reaches the system through another one is named with it
 * (express and the `send` it calls both caused the open), so the packages a program installed
 * directly show up, not only the leaf that made the call.
 */
export function eventPackages(e: LensEvent): PackageRef[] {
  const frames = e.frames;
  if (!frames || frames.length === 0) return [];
  const out: PackageRef[] = [];
  for (const f of frames) {
    const p = framePackage(f);
    if (p && !out.some((o) => o.name === p.name && o.kind === p.kind)) out.push(p);
  }
  return out;
}
