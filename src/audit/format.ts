// One line per function for the CLI, in the annocheck style: a verdict word first, then the facts.

import { levelName, type FeatureRank, type Level } from '../level.js';
import type { AuditResult, FunctionFinding } from './audit.js';

/** `x86-64-v3`, or for rank 5 the words that say no level covers it. */
export function rankName(rank: FeatureRank): string {
  return rank === 5 ? 'a CPU check (beyond every level)' : levelName(rank as Level);
}

/** `FAIL f: needs x86-64-v3 (AVX2, FMA), 12 instructions from 0x401136 (vfmadd231ps)`. */
export function formatFinding(f: FunctionFinding): string {
  const where = f.section === '' || f.name.startsWith(`${f.section}+`) ? '' : ` in ${f.section}`;
  const head = f.guard === undefined ? 'FAIL' : 'GUARDED';
  const why = f.guard === undefined ? '' : ` [${f.guard.reason}: ${f.guard.detail}]`;
  const plural = f.count === 1 ? 'instruction' : 'instructions';
  return (
    `${head} ${f.name}${why}: needs ${rankName(f.level)} (${f.features.join(', ')}), ` +
    `${f.count} ${plural} from 0x${f.firstAddress.toString(16)}${where} (${f.example})`
  );
}

export interface FormatOptions {
  /** Also list guarded functions (default false: they are not failures). */
  readonly showGuarded?: boolean;
}

/** The lines the CLI prints: one per function above the level, then a summary line. */
export function formatAudit(result: AuditResult, opts: FormatOptions = {}): string[] {
  const lines = result.violations.map(formatFinding);
  if (result.omitted.violations > 0) lines.push(`... and ${result.omitted.violations} more functions above the level`);
  if (opts.showGuarded === true) {
    lines.push(...result.guarded.map(formatFinding));
    if (result.omitted.guarded > 0) lines.push(`... and ${result.omitted.guarded} more guarded functions`);
  }
  const nGuarded = result.guarded.length + result.omitted.guarded;
  const nViol = result.violations.length + result.omitted.violations;
  lines.push(
    `${result.verdict === 'pass' ? 'PASS' : 'FAIL'}: code needs ${rankName(result.maxLevel)}, ` +
      `level ${levelName(result.level)}; ${nViol} function(s) above it, ${nGuarded} guarded; ` +
      `${result.instructions} instructions in ${result.bytes} bytes` +
      (result.invalid > 0 ? `, ${result.invalid} undecodable byte sequences skipped` : ''),
  );
  return lines;
}
