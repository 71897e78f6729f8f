// The one entry point of every executable: `--isa-shim=cc|cxx|ld` selects a wrapper, `--isa-shim=cli`
// the isa-shim command. The bin/ launchers add it; the same bundle runs on Node (dist/entry.mjs) and
// as the compiled single-file executable (dist/isa-shim-fast), see docs/performance.md.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolKind } from '../exec/find-tool.js';
import { main as wrapperMain } from './wrapper-main.js';
import { PROG } from './wrapper.js';
import { setInstallDir } from '../runtime.js';
import { realPath } from '../sys/fs.js';
import { ShimError } from '../exit-codes.js';
import type { Level } from '../level.js';

declare const __ISA_COMPILED__: boolean;

function installDir(): string {
  // Compiled: the executable is dist/isa-shim-fast. Bundled: this file is dist/entry.mjs.
  const file = __ISA_COMPILED__ ? process.execPath : fileURLToPath(import.meta.url);
  let real = file;
  try {
    real = realPath(file);
  } catch {
    // keep as given
  }
  return join(dirname(real), '..');
}

/**
 * The compiled executable called by a wrapper's own name (dist/bin/isa-hostcc -> ../isa-shim-fast,
 * made by the build) is that wrapper, with every argument its own: no launcher in between.
 */
function selection(): { kind: string | undefined; rest: string[] } {
  const args = process.argv.slice(2);
  if (__ISA_COMPILED__) {
    const name = process.argv0.slice(process.argv0.lastIndexOf('/') + 1);
    const byName = (Object.keys(PROG) as ToolKind[]).find((k) => PROG[k] === name);
    if (byName) return { kind: byName, rest: args };
  }
  const [selector, ...rest] = args;
  return { kind: selector?.startsWith('--isa-shim=') ? selector.slice(11) : undefined, rest };
}

// No top-level await: the compiled executable is precompiled to bytecode, which needs a plain script.
async function start(): Promise<void> {
  const { kind, rest } = selection();
  const dir = installDir();
  setInstallDir(dir);
  if (kind === 'audit-json' && !__ISA_COMPILED__) {
    // Internal: the compiled runtime's code audit, run here on Node (see src/runtime.ts).
    const [path, level, ...allow] = rest;
    const { auditFile, auditToJson } = await import('../verify/judge.js');
    try {
      process.stdout.write(auditToJson(await auditFile(path!, Number(level) as Level, allow)));
    } catch (err) {
      // A malformed file is a verdict for the caller, not a crash: hand its one line back as JSON.
      if (!(err instanceof ShimError)) throw err;
      process.stdout.write(JSON.stringify({ shimError: { message: err.message, code: err.code } }));
    }
  } else if (kind === 'cc' || kind === 'cxx' || kind === 'ld') {
    await wrapperMain(kind as ToolKind, rest, join(dir, 'bin'));
  } else if (kind === 'check' && __ISA_COMPILED__) {
    const { fastCheck } = await import('./fast-check.js');
    await fastCheck(rest);
  } else if (kind === 'cli' && !__ISA_COMPILED__) {
    const { main } = await import('./isa-shim.js');
    await main(rest);
  } else {
    process.stderr.write('isa-shim: run it as isa-hostcc, isa-hostcxx, isa-hostld or isa-shim (bin/ launchers)\n');
    process.exit(2);
  }
}

void start();
