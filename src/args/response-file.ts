// `@file` response files, read the way gcc's libiberty (expandargv/buildargv) reads them:
// whitespace separates arguments, single and double quotes group, a backslash escapes the next
// character everywhere (also inside quotes). Nested `@file`s are expanded; a missing one is kept
// as the literal argument, exactly as gcc does.

export class ResponseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseFileError';
  }
}

export function parseResponseText(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inArg = false;
  let squote = false;
  let dquote = false;
  let escape = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (escape) {
      escape = false;
      cur += c;
      inArg = true;
      continue;
    }
    if (c === '\\') {
      escape = true;
      inArg = true;
      continue;
    }
    if (squote) {
      if (c === "'") squote = false;
      else cur += c;
      continue;
    }
    if (dquote) {
      if (c === '"') dquote = false;
      else cur += c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      if (inArg) {
        out.push(cur);
        cur = '';
        inArg = false;
      }
      continue;
    }
    inArg = true;
    if (c === "'") squote = true;
    else if (c === '"') dquote = true;
    else cur += c;
  }
  if (inArg) out.push(cur);
  return out;
}

/** Quotes one argument so parseResponseText gives it back unchanged. */
export function quoteResponseArg(arg: string): string {
  if (arg === '') return "''";
  return arg.replace(/[\s'"\\]/g, (c) => `\\${c}`);
}

export function formatResponseText(args: readonly string[]): string {
  return args.map(quoteResponseArg).join('\n') + '\n';
}

export interface Expanded {
  readonly args: string[];
  /** True when at least one `@file` was read: the rewritten argv goes back out as a response file. */
  readonly usedResponseFile: boolean;
}

/** Bounds that keep a hostile or self-including `@file` from hanging or exhausting memory. */
const MAX_DEPTH = 32;
const MAX_ARGS = 4_000_000;

/**
 * Expands every `@file` argument (nested). `readText` returns undefined when the file cannot be
 * read, in which case the argument stays as given. Linear in the total number of arguments.
 */
export function expandResponseFiles(
  argv: readonly string[],
  readText: (path: string) => string | undefined,
): Expanded {
  let used = false;
  const out: string[] = [];
  const walk = (args: readonly string[], chain: readonly string[]): void => {
    for (const a of args) {
      if (a.length > 1 && a.startsWith('@')) {
        const path = a.slice(1);
        if (chain.includes(path)) throw new ResponseFileError(`response file ${path} includes itself`);
        if (chain.length >= MAX_DEPTH) throw new ResponseFileError(`response files nested deeper than ${MAX_DEPTH} at ${path}`);
        const text = readText(path);
        if (text !== undefined) {
          used = true;
          walk(parseResponseText(text), [...chain, path]);
          continue;
        }
      }
      out.push(a);
      if (out.length > MAX_ARGS) throw new ResponseFileError(`more than ${MAX_ARGS} arguments`);
    }
  };
  walk(argv, []);
  return { args: out, usedResponseFile: used };
}
