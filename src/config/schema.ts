// Validation of one config file's contents. Every problem is one line naming the file, the key,
// the value and what is expected, because a user reading a failed kernel build log has nothing
// else to go on.
import { LEVEL_SPELLINGS_HELP, parseLevel } from '../level.js';
import { EXIT, ShimError } from '../exit-codes.js';
import type { AuditMode, LevelRequest, OnViolation } from '../settings.js';

/** What a file (or the environment) may set; every field optional. */
export interface ConfigValues {
  level?: LevelRequest;
  cc?: readonly string[];
  cxx?: readonly string[];
  ld?: readonly string[];
  onViolation?: OnViolation;
  audit?: AuditMode;
  allow?: readonly string[];
  log?: string;
  debug?: boolean;
}

export const CONFIG_KEYS = ['level', 'cc', 'cxx', 'ld', 'onViolation', 'audit', 'allow', 'log', 'debug'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Keys that choose a program to run or a path to write: only trusted files may set them. */
export const PRIVILEGED_KEYS: readonly ConfigKey[] = ['cc', 'cxx', 'ld', 'log'];

export const ON_VIOLATION: readonly OnViolation[] = ['fix', 'error', 'warn'];
export const AUDIT_MODES: readonly AuditMode[] = ['always', 'on-violation', 'off'];
export const LEVEL_EXPECTED = `a level (${LEVEL_SPELLINGS_HELP}) or kernel, host, auto`;

export function badInput(message: string): ShimError {
  return new ShimError(message, EXIT.BAD_INPUT);
}

/** Short, single-line rendering of a value for error messages. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** Edit distance counting an adjacent transposition as one edit ("levle" is one typo from "level"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known key, if close enough to be a typo (case and -/_ separators do not count). */
export function suggestKey(key: string, known: readonly string[] = CONFIG_KEYS): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const d = editDistance(norm(key), norm(k));
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  const limit = (best?.length ?? 0) <= 3 ? 1 : 2;
  return bestDist <= limit ? best : undefined;
}

export function parseLevelRequest(text: string): LevelRequest | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'kernel' || t === 'host' || t === 'auto') return t;
  return parseLevel(t);
}

/** A command: one string split on whitespace (launcher + tool), or a list of non-empty strings. */
export function parseCommand(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') {
    const words = value.trim().split(/\s+/).filter(Boolean);
    return words.length > 0 ? words : undefined;
  }
  if (Array.isArray(value) && value.length > 0 && value.every((w) => typeof w === 'string' && w.trim() !== '')) {
    return value as string[];
  }
  return undefined;
}

/**
 * Checks a loaded file's contents. `where` names the file in messages. Throws ShimError(exit 2)
 * at the first problem: one bad key is enough to stop a build, and one line is what fits in a log.
 */
export function validateConfig(raw: unknown, where: string): ConfigValues {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badInput(`${where}: the file holds ${typeName(raw)} ${show(raw)}; expected a mapping of keys (${CONFIG_KEYS.join(', ')})`);
  }
  const out: ConfigValues = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const bad = (expected: string): ShimError =>
      badInput(`${where}: key "${key}" has value ${show(value)} (${typeName(value)}); expected ${expected}`);
    switch (key as ConfigKey) {
      case 'level': {
        const req = typeof value === 'string' || typeof value === 'number' ? parseLevelRequest(String(value)) : undefined;
        if (req === undefined) throw bad(LEVEL_EXPECTED);
        out.level = req;
        break;
      }
      case 'cc':
      case 'cxx':
      case 'ld': {
        const cmd = parseCommand(value);
        if (cmd === undefined) throw bad('a command: a string ("ccache gcc") or a list of non-empty strings');
        out[key as 'cc' | 'cxx' | 'ld'] = cmd;
        break;
      }
      case 'onViolation':
        if (typeof value !== 'string' || !ON_VIOLATION.includes(value as OnViolation)) throw bad(ON_VIOLATION.join(' | '));
        out.onViolation = value as OnViolation;
        break;
      case 'audit':
        if (typeof value !== 'string' || !AUDIT_MODES.includes(value as AuditMode)) throw bad(AUDIT_MODES.join(' | '));
        out.audit = value as AuditMode;
        break;
      case 'allow':
        if (typeof value === 'string' && value.trim() !== '') out.allow = [value.trim()];
        else if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '')) out.allow = value.map((v: string) => v.trim());
        else throw bad('a list of function-name patterns (strings)');
        break;
      case 'log':
        if (typeof value !== 'string' || value.trim() === '') throw bad('a file path (string)');
        out.log = value;
        break;
      case 'debug':
        if (typeof value !== 'boolean') throw bad('true or false');
        out.debug = value;
        break;
      default: {
        const hint = suggestKey(key);
        throw badInput(
          `${where}: unknown key "${key}" (value ${show(value)})` +
            (hint ? `; did you mean "${hint}"?` : `; expected one of ${CONFIG_KEYS.join(', ')}`),
        );
      }
    }
  }
  return out;
}
