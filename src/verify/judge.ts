// One verdict per file, annocheck-style: PASS / FAIL / MAYBE / SKIP with the reason. Used by the
// wrappers after a link and by `isa-shim check`, `fix` and `audit`, so every command judges alike.
import { levelName, type Level } from '../level.js';
import { isX86Machine } from '../elf/constants.js';
import { ElfFormatError, readCodeImage, summarizeFile, type ElfSummary, type FileSummary } from '../elf/index.js';
import { EXIT, ShimError } from '../exit-codes.js';
import type { AuditResult } from '../audit/index.js';
import { runOnNode } from '../runtime.js';

export type Verdict = 'PASS' | 'FAIL' | 'MAYBE' | 'SKIP';

export interface Judgement {
  readonly path: string;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly summary: FileSummary;
  /** True when the loader would refuse it on a CPU at the level (note above the level). */
  readonly noteAbove: boolean;
  /** Present when the code was audited. */
  readonly code?: AuditResult;
}

export interface JudgeOptions {
  /** Audit the instructions too: always, or only when the note alone says FAIL (to decide a repair). */
  readonly code: 'always' | 'on-violation' | 'never';
  readonly allow?: readonly string[];
}

declare const __ISA_COMPILED__: boolean;

type AuditModule = typeof import('../audit/index.js');
let auditModule: Promise<AuditModule> | undefined;
/** iced-x86 is a WASM module: loaded only when some file's code is audited. */
export function loadAudit(): Promise<AuditModule> {
  // Folded at build time: the compiled executable never references iced-x86 (see auditFile).
  return __ISA_COMPILED__
    ? Promise.reject(new Error('the code audit runs on Node.js'))
    : (auditModule ??= import('../audit/index.js'));
}

export async function auditFile(path: string, level: Level, allow: readonly string[] = []): Promise<AuditResult> {
  // A build-time constant, so the compiled executable's bundle drops the iced-x86 import entirely.
  if (__ISA_COMPILED__) return auditOnNode(path, level, allow);
  const { auditCode } = await loadAudit();
  return auditCode(readCodeImage(path), level, { allow });
}

/** The audit as JSON (bigints as hex strings), for the compiled runtime's round trip through Node. */
export function auditToJson(r: AuditResult): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
}

async function auditOnNode(path: string, level: Level, allow: readonly string[]): Promise<AuditResult> {
  const parsed = JSON.parse(await runOnNode('audit-json', [path, String(level), ...allow]), (k, v) =>
    k === 'firstAddress' && typeof v === 'string' ? BigInt(v) : v,
  );
  if (parsed?.shimError) {
    const { message, code } = parsed.shimError as { message: string; code: number };
    throw code === EXIT.BAD_INPUT ? new ElfFormatError(message) : new ShimError(message, code);
  }
  return parsed as AuditResult;
}

function codeReason(code: AuditResult, level: Level): string {
  const first = code.violations[0];
  if (!first) return '';
  const fns = code.violations.slice(0, 3).map((f) => `${f.name} (${f.features.slice(0, 3).join(', ')})`);
  const more = code.violations.length + code.omitted.violations - fns.length;
  return `code above ${levelName(level)} in ${fns.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Judges an ELF summary (already read) against the level; audits the code when asked. */
export async function judgeSummary(path: string, summary: FileSummary, level: Level, opts: JudgeOptions): Promise<Judgement> {
  if (summary.kind === 'not-elf') return { path, verdict: 'SKIP', reason: 'not an ELF file', summary, noteAbove: false };
  if (summary.kind === 'archive') {
    const above = summary.members.filter((m) => m.summary?.kind === 'elf' && m.summary.neededLevel > level);
    if (above.length > 0) {
      return {
        path,
        verdict: 'FAIL',
        reason: `members need more than ${levelName(level)}: ${above.slice(0, 5).map((m) => `${m.name} (${levelName((m.summary as ElfSummary).neededLevel as Level)})`).join(', ')}`,
        summary,
        noteAbove: true,
      };
    }
    return { path, verdict: 'PASS', reason: `archive of ${summary.members.length} members, none above ${levelName(level)}`, summary, noteAbove: false };
  }
  if (!isX86Machine(summary.machine)) {
    return { path, verdict: 'SKIP', reason: `not x86 (${summary.machineName})`, summary, noteAbove: false };
  }
  const needed = summary.neededLevel;
  const noteAbove = needed > level;
  const wantCode = opts.code === 'always' || (opts.code === 'on-violation' && noteAbove);
  let code: AuditResult | undefined;
  if (wantCode) code = await auditFile(path, level, opts.allow);
  const noteText = needed === 0 ? 'no x86 ISA needed note' : `note needs ${levelName(needed as Level)}`;
  if (noteAbove) {
    const tail = code ? (code.verdict === 'fail' ? `; ${codeReason(code, level)}` : `; its code is within ${levelName(level)}`) : '';
    return { path, verdict: 'FAIL', reason: `${noteText}, above ${levelName(level)}${tail}`, summary, noteAbove, ...(code ? { code } : {}) };
  }
  if (code && code.verdict === 'fail') {
    return { path, verdict: 'FAIL', reason: `${noteText}, but ${codeReason(code, level)}`, summary, noteAbove, code };
  }
  if (needed === 0 && !code) {
    return { path, verdict: 'MAYBE', reason: `${noteText}; instructions not audited (use --code)`, summary, noteAbove };
  }
  const guarded = code && code.guarded.length > 0 ? `; ${code.guarded.length} CPU-checked functions above it` : '';
  return {
    path,
    verdict: 'PASS',
    reason: `${noteText}${code ? `, ${code.instructions} instructions within ${levelName(level)}${guarded}` : ''}`,
    summary,
    noteAbove,
    ...(code ? { code } : {}),
  };
}

export async function judgeFile(path: string, level: Level, opts: JudgeOptions): Promise<Judgement> {
  return judgeSummary(path, summarizeFile(path), level, opts);
}
