// Finds the real compiler or linker without ever finding isa-shim itself. Candidates are compared
// by real path (a symlink `gcc -> isa-hostcc` on PATH is us), but the path is executed as found,
// so `clang++` and `cc` keep the driver mode their name selects.
import { canExecute, isRegularFile, realPath, statPath } from '../sys/fs.js';
import { delimiter, join } from 'node:path';
import { EXIT, ShimError } from '../exit-codes.js';

export type ToolKind = 'cc' | 'cxx' | 'ld';

export const DEFAULT_TOOLS: Readonly<Record<ToolKind, readonly string[]>> = {
  cc: ['gcc', 'cc', 'clang'],
  cxx: ['g++', 'c++', 'clang++'],
  ld: ['ld'],
};

export const TOOL_ENV: Readonly<Record<ToolKind, string>> = { cc: 'ISA_HOSTCC', cxx: 'ISA_HOSTCXX', ld: 'ISA_HOSTLD' };

/** The command to run: `file` with `prefixArgs` before the wrapped call's own arguments. */
export interface ToolCommand {
  readonly file: string;
  readonly prefixArgs: readonly string[];
  /** How it was chosen, for ISA_DEBUG and `isa-shim config`. */
  readonly origin: string;
}

function realOrSelf(p: string): string {
  try {
    return realPath(p);
  } catch {
    return p;
  }
}

function isExecutableFile(p: string): boolean {
  try {
    const st = statPath(p);
    return st !== undefined && isRegularFile(st) && canExecute(p);
  } catch {
    return false;
  }
}

/** All executables named `name` on PATH, in PATH order. */
export function searchPath(name: string, pathEnv: string | undefined): string[] {
  const found: string[] = [];
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    if (isExecutableFile(p)) found.push(p);
  }
  return found;
}

/**
 * Resolves the first word of a configured tool (or each default) to a path that is not one of our
 * own executables. Throws ShimError 127 (missing), 126 (not executable) or 125 (only ourselves).
 */
export function findTool(
  kind: ToolKind,
  configured: { words: readonly string[]; origin: string } | undefined,
  selfRealPaths: ReadonlySet<string>,
  pathEnv: string | undefined,
): ToolCommand {
  const isSelf = (p: string): boolean => selfRealPaths.has(realOrSelf(p));
  if (configured && configured.words.length > 0) {
    const [first, ...rest] = configured.words as [string, ...string[]];
    if (first.includes('/')) {
      let st;
      try {
        st = statPath(first);
      } catch {
        st = undefined;
      }
      if (!st) throw new ShimError(`${first}: not found (from ${configured.origin})`, EXIT.NOT_FOUND);
      if (!isRegularFile(st) || !canExecute(first)) {
        throw new ShimError(`${first}: not executable (from ${configured.origin})`, EXIT.NOT_EXECUTABLE);
      }
      if (isSelf(first)) {
        throw new ShimError(
          `${first} is isa-shim itself (from ${configured.origin}); name the real compiler or linker`,
          EXIT.RECURSION,
        );
      }
      return { file: first, prefixArgs: rest, origin: configured.origin };
    }
    const all = searchPath(first, pathEnv);
    const real = all.find((p) => !isSelf(p));
    if (real) return { file: real, prefixArgs: rest, origin: configured.origin };
    if (all.length > 0) {
      throw new ShimError(`${first} on PATH is only isa-shim itself (from ${configured.origin})`, EXIT.RECURSION);
    }
    throw new ShimError(`${first}: not found on PATH (from ${configured.origin})`, EXIT.NOT_FOUND);
  }
  let sawSelf = false;
  for (const name of DEFAULT_TOOLS[kind]) {
    for (const p of searchPath(name, pathEnv)) {
      if (isSelf(p)) {
        sawSelf = true;
        continue;
      }
      return { file: p, prefixArgs: [], origin: `default (${name} on PATH)` };
    }
  }
  const names = DEFAULT_TOOLS[kind].join(', ');
  if (sawSelf) {
    throw new ShimError(`every ${names} on PATH is isa-shim itself; set ${TOOL_ENV[kind]}`, EXIT.RECURSION);
  }
  throw new ShimError(`no ${names} found on PATH; install one or set ${TOOL_ENV[kind]}`, EXIT.NOT_FOUND);
}
