// What the wrappers do with a linked output before make sees it. The common case, a note within
// the level, reads the ELF header, the program headers and the note, and loads nothing else; the
// rest (code audit, policy, repair, blame) lives in policy.ts and is loaded only when needed.
import { resolve } from 'node:path';
import { withSignalsDeferred } from '../exec/defer-signals.js';
import { isX86Machine } from '../elf/constants.js';
import { ElfFormatError, ElfIoError } from '../elf/errors.js';
import { summarizeFile } from '../elf/summary.js';
import { levelName, type Level } from '../level.js';
import type { LinkedOutput, VerifyOutcome } from './policy.js';

export type { LinkedOutput, VerifyOutcome } from './policy.js';

export async function verifyLinkedOutput(out: LinkedOutput): Promise<VerifyOutcome> {
  const level: Level = out.settings.level.value;
  const path = resolve(out.cwd, out.output);
  let summary;
  try {
    summary = summarizeFile(path);
  } catch (err) {
    if (err instanceof ElfFormatError || err instanceof ElfIoError) return { exitCode: 0, summary: `not verified: ${err.message}` };
    throw err;
  }
  if (summary.kind === 'not-elf') return { exitCode: 0, summary: 'SKIP: not an ELF file' };
  if (summary.kind === 'elf' && !isX86Machine(summary.machine)) return { exitCode: 0, summary: `SKIP: not x86 (${summary.machineName})` };
  if (summary.kind === 'elf' && summary.neededLevel <= level && out.settings.audit.value !== 'always') {
    const n = summary.neededLevel;
    return { exitCode: 0, summary: `PASS: ${n === 0 ? 'no x86 ISA needed note' : `note needs ${levelName(n as Level)}`}` };
  }
  // The policy may repair or move the output: a signal meanwhile must not leave a temporary file or
  // a torn output, so it waits for the rename. The common case above writes nothing and needs no guard.
  const { applyPolicy } = await import('./policy.js');
  return withSignalsDeferred(() => applyPolicy(out, path, summary));
}
