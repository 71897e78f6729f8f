// isa-hostcc / isa-hostcxx / isa-hostld: the process edge around runWrapper.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolKind } from '../exec/find-tool.js';
import { EXIT, ShimError } from '../exit-codes.js';
import { debugRequested, failAndExit } from './fail.js';
import { PROG, runWrapper, selfPathsFrom } from './wrapper.js';
import { hostLevel } from './host-level.js';

/**
 * The runtime decodes argv as UTF-8 and turns invalid bytes into U+FFFD, and a child can only be
 * given strings: such an argument would reach the compiler corrupted. The raw bytes are in
 * /proc/self/cmdline, whose last entries are this call's arguments whatever came before them
 * (the runtime, its options, the script, --isa-shim=). Refuse, naming the argument (1-based).
 */
function checkRawArgv(argv: readonly string[]): void {
  if (!argv.some((a) => a.includes('\uFFFD'))) return;
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return;
  }
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0) {
      parts.push(raw.subarray(start, i));
      start = i + 1;
    }
  }
  const tail = parts.slice(parts.length - argv.length);
  if (tail.length !== argv.length) return;
  argv.forEach((a, i) => {
    if (!Buffer.from(a, 'utf8').equals(tail[i]!)) {
      throw new ShimError(
        `argument ${i + 1} is not valid UTF-8 (${JSON.stringify(a)}); its bytes cannot be handed on exactly, so the call is refused`,
        EXIT.BAD_INPUT,
      );
    }
  });
}

export async function main(kind: ToolKind, argv: readonly string[], binDir: string): Promise<void> {
  const debug = debugRequested(process.env);
  try {
    checkRawArgv(argv);
    await runWrapper({
      kind,
      argv,
      env: process.env,
      cwd: process.cwd(),
      // The launchers in bin/, the build's entry points in dist/bin/, and the compiled executable.
      selfPaths: selfPathsFrom(
        [binDir, join(binDir, '..', 'dist', 'bin')],
        [process.execPath.endsWith('isa-shim-fast') ? process.execPath : ''],
      ),
      hostLevel,
    });
  } catch (err) {
    failAndExit(PROG[kind], err, debug);
  }
}
