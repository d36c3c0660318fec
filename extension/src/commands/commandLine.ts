import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Splits a command line the way a POSIX shell splits words: whitespace
 * separates, '…' is literal, "…" allows \" \\ \$ \`, a backslash escapes the
 * next character. Throws on an unterminated quote. No expansion happens.
 */
export function parseCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' quote at column ${i + 1}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new Error(`unterminated " quote at column ${i + 1}`);
        const d = text[j];
        if (d === '"') break;
        if (d === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1])) {
          word += text[j + 1];
          j += 2;
        } else {
          word += d;
          j++;
        }
      }
      inWord = true;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('a backslash ends the line; nothing to escape');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** A name with a directory separator is a path (on Windows a backslash is one too). */
export function namesPath(name: string, platform: string = process.platform): boolean {
  return name.includes('/') || (platform === 'win32' && name.includes('\\'));
}

/** The names a command may have on disk: itself, and on Windows with each PATHEXT extension ("curl" -> "curl.exe"). */
export function executableNames(name: string, platform: string = process.platform, pathext = process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD'): string[] {
  if (platform !== 'win32' || path.extname(name)) return [name];
  return [name, ...pathext.split(';').filter(Boolean).map((ext) => name + ext.toLowerCase())];
}

/**
 * Finds an executable the way execvp does: a name with a slash is a path (relative to cwd), else it is looked up in
 * PATH; on Windows, with the PATHEXT extensions too.
 */
export async function findExecutable(name: string, cwd: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const isExecutable = async (file: string) => {
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile()) return false;
      await fs.promises.access(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const names = executableNames(name);
  if (namesPath(name)) {
    for (const n of names) {
      const file = path.resolve(cwd, n);
      if (await isExecutable(file)) return file;
    }
    return undefined;
  }
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const file = path.join(path.resolve(cwd, dir), n);
      if (await isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** Characters that mean the user typed shell syntax, which is not run through a shell. */
const SHELL_SYNTAX = /(^|\s)(\||\|\||&&|;|>|>>|<|2>|&)(\s|$)/;

/**
 * Checks a command line typed in "Trace Command…". Returns the argv, or the
 * message to show in the input box saying what is wrong and what to do.
 * Without `cwd` (a command for a remote host) the executable is not looked
 * for here: the host's agent says when it is not found there.
 */
export async function validateCommandLine(text: string, cwd: string | undefined, envPath?: string): Promise<{ argv: string[] } | { message: string }> {
  if (!text.trim()) return { message: 'Enter the command to trace, for example: python3 app.py --port 8080' };
  let argv: string[];
  try {
    argv = parseCommandLine(text);
  } catch (err) {
    return { message: `Cannot read this command line: ${(err as Error).message}.` };
  }
  if (argv.length === 0) return { message: 'Enter the command to trace, for example: python3 app.py --port 8080' };
  if (SHELL_SYNTAX.test(text)) {
    return { message: `The command is not run through a shell, so pipes, redirections and && do not work. To trace a pipeline, write: sh -c '${text.replace(/'/g, `'\\''`)}'` };
  }
  if (cwd === undefined) return { argv };
  const found = await findExecutable(argv[0], cwd, envPath);
  if (!found) {
    return namesPath(argv[0])
      ? { message: `No executable file at ${path.resolve(cwd, argv[0])} (checked from ${cwd}). Check the path and that the file is executable (chmod +x).` }
      : { message: `Command not found: "${argv[0]}" is not in PATH. Check the spelling, or give its full path.` };
  }
  return { argv };
}
