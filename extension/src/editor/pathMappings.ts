/*
 * Where a traced machine's source file is in this window: `source.file` is an
 * absolute path on the machine that ran the program (a remote host, a
 * container); runtimeLens.pathMappings maps its roots to local folders.
 */
import * as path from 'node:path';

/** One mapped root: a path prefix on the traced machine and the local folder it is. */
export interface PathMapping {
  from: string;
  to: string;
}

/**
 * Reads runtimeLens.pathMappings ({ "/srv/app": "/home/me/app" }). `${workspaceFolder}` in a
 * local folder is the first workspace folder. Bad entries are left out and named in `problems`.
 */
export function parsePathMappings(raw: unknown, workspaceFolder: string | undefined): { mappings: PathMapping[]; problems: string[] } {
  const problems: string[] = [];
  const mappings: PathMapping[] = [];
  if (raw === undefined || raw === null) return { mappings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`runtimeLens.pathMappings must be an object mapping a folder on the traced machine to a local folder, e.g. { "/srv/app": "\${workspaceFolder}" }; got ${JSON.stringify(raw)}. No paths are mapped.`);
    return { mappings, problems };
  }
  for (const [from, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      problems.push(`runtimeLens.pathMappings["${from}"] must be a local folder (a string); got ${JSON.stringify(value)}. It is ignored.`);
      continue;
    }
    if (value.includes('${workspaceFolder}') && !workspaceFolder) {
      problems.push(`runtimeLens.pathMappings["${from}"] uses \${workspaceFolder} but no folder is open. It is ignored.`);
      continue;
    }
    const to = value.replace('${workspaceFolder}', workspaceFolder ?? '');
    if (!path.posix.isAbsolute(from) && !path.win32.isAbsolute(from)) {
      problems.push(`runtimeLens.pathMappings: "${from}" must be an absolute path on the traced machine. It is ignored.`);
      continue;
    }
    if (!path.isAbsolute(to)) {
      problems.push(`runtimeLens.pathMappings["${from}"] must be an absolute local folder (or start with \${workspaceFolder}); got "${value}". It is ignored.`);
      continue;
    }
    mappings.push({ from: trimSlash(from), to: trimSlash(to) });
  }
  // the longest root wins where roots nest
  mappings.sort((a, b) => b.from.length - a.from.length);
  return { mappings, problems };
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/[/\\]+$/, '') : p;
}

/** The local path of a traced machine's file: under the longest mapped root, else the same path. */
export function toLocalPath(file: string, mappings: readonly PathMapping[]): string {
  for (const m of mappings) {
    if (file === m.from) return m.to;
    if (file.startsWith(m.from) && (file[m.from.length] === '/' || file[m.from.length] === '\\' || m.from === '/')) {
      const rest = file.slice(m.from === '/' ? 1 : m.from.length + 1);
      return path.join(m.to, ...rest.split(/[/\\]/));
    }
  }
  return file;
}
