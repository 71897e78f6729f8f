// The slow path of verification: the note is above the level (or the code is to be audited
// anyway). Audit, then apply the policy: fix | error | warn. Loaded only when needed (see index.ts).
import { renameSync } from 'node:fs';
import type { Step } from '../args/classify.js';
import { levelName, type Level } from '../level.js';
import { EXIT } from '../exit-codes.js';
import { lowerIsaNeeded, RepairError } from '../elf/index.js';
import type { Settings } from '../settings.js';
import { blameInputs, formatCulprits } from './blame.js';
import { judgeSummary } from './judge.js';

import type { FileSummary } from '../elf/index.js';

export interface LinkedOutput {
  readonly output: string;
  readonly step: Step;
  readonly settings: Settings;
  readonly kind: 'cc' | 'cxx' | 'ld';
  /** The final argv given to the real tool (after rewriting), for naming the inputs that raised it. */
  readonly args: readonly string[];
  readonly tool: { readonly file: string; readonly prefixArgs: readonly string[] };
  readonly prog: string;
  readonly cwd: string;
}

export interface VerifyOutcome {
  /** 0 to hand the output to make; otherwise the wrapper's exit status. */
  readonly exitCode: number;
  /** One line for stderr, when something must be said. */
  readonly message?: string;
  /** For ISA_DEBUG / ISA_LOG. */
  readonly summary: string;
}

export async function applyPolicy(out: LinkedOutput, path: string, summary: FileSummary): Promise<VerifyOutcome> {
  const { settings } = out;
  const level: Level = settings.level.value;
  const L = levelName(level);
  const policy = settings.onViolation.value;
  const audit = settings.audit.value;
  // `fix` must prove the code is within the level before lowering the note, whatever `audit` says.
  const code = audit === 'always' ? 'always' : audit === 'off' && policy !== 'fix' ? 'never' : 'on-violation';
  const j = await judgeSummary(path, summary, level, { code, allow: settings.allow.value });
  if (j.verdict !== 'FAIL') return { exitCode: 0, summary: `${j.verdict}: ${j.reason}` };

  const needed = summary.kind === 'elf' ? summary.neededLevel : 0;
  const codeAbove = j.code?.verdict === 'fail';
  if (policy === 'fix' && j.noteAbove && !codeAbove && j.code) {
    try {
      const r = lowerIsaNeeded(path, level);
      return { exitCode: 0, summary: `fixed: x86 ISA needed ${levelName(r.oldLevel as Level)} -> ${levelName(r.newLevel as Level)}; code proven within ${L}` };
    } catch (err) {
      if (err instanceof RepairError) {
        return { exitCode: EXIT.REPAIR_FAILED, message: `${out.output}: needs ${levelName(needed as Level)} and could not be repaired: ${err.message}`, summary: 'repair failed' };
      }
      throw err;
    }
  }

  const why = j.noteAbove
    ? `needs ${levelName(needed as Level)} (x86 ISA needed note), above the configured ${L} (${settings.level.origin}); raised by: ${formatCulprits(await blameInputs(out.kind, out.args, out.cwd, out.tool, level))}`
    : `its code needs more than the configured ${L} (${settings.level.origin})`;
  const codeText = codeAbove ? `; ${j.reason.replace(/^.*?(code above)/, '$1')}` : '';
  if (policy === 'warn') {
    return { exitCode: 0, message: `warning: ${out.output} ${why}${codeText}`, summary: `warned: ${j.reason}` };
  }
  const rejected = `${path}.isa-rejected`;
  let moved = '';
  try {
    renameSync(path, rejected);
    moved = `; moved to ${out.output}.isa-rejected`;
  } catch (err) {
    moved = `; could not move it aside (${(err as NodeJS.ErrnoException).code ?? err})`;
  }
  const hint = policy === 'fix' && codeAbove ? ' (not repaired: its instructions are above the level)' : '';
  return { exitCode: EXIT.VIOLATION, message: `${out.output} ${why}${codeText}${hint}${moved}`, summary: `rejected: ${j.reason}` };
}
