// How every entry point ends on an error: one line naming what is wrong, a distinct status,
// never a stack trace (unless ISA_DEBUG asks for one, for bug reports).
import { EXIT, ShimError } from '../exit-codes.js';

/** ISA_DEBUG as the entry points read it before any settings exist (the config module reads it too). */
export function debugRequested(env: NodeJS.ProcessEnv): boolean {
  return !!env.ISA_DEBUG && env.ISA_DEBUG !== '0';
}

export function failAndExit(prog: string, err: unknown, debug: boolean): never {
  if (err instanceof ShimError) {
    process.stderr.write(`${prog}: ${err.message}\n`);
    process.exit(err.code);
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${prog}: internal error: ${msg}${debug ? '' : ' (set ISA_DEBUG=1 for details)'}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(EXIT.INTERNAL);
}
