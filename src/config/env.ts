// ISA_* environment overrides: the highest-precedence layer. A bad value is an error naming the
// variable, like a bad key in a file: a silently ignored ISA_LEVEL=v5 would build at the wrong level.
import { AUDIT_MODES, LEVEL_EXPECTED, ON_VIOLATION, badInput, parseLevelRequest, show } from './schema.js';
import type { ConfigKey, ConfigValues } from './schema.js';
import type { AuditMode, OnViolation } from '../settings.js';

/** Which variable sets which key. */
export const ENV_KEYS: ReadonlyArray<readonly [string, ConfigKey]> = [
  ['ISA_LEVEL', 'level'],
  ['ISA_HOSTCC', 'cc'],
  ['ISA_HOSTCXX', 'cxx'],
  ['ISA_HOSTLD', 'ld'],
  ['ISA_ON_VIOLATION', 'onViolation'],
  ['ISA_AUDIT', 'audit'],
  ['ISA_ALLOW', 'allow'],
  ['ISA_LOG', 'log'],
  ['ISA_DEBUG', 'debug'],
];

export interface EnvLayer {
  readonly values: ConfigValues;
  /** key -> variable name, for provenance. */
  readonly origins: Partial<Record<ConfigKey, string>>;
  /** Keys explicitly cleared by an empty variable (ISA_LOG= turns a file's log off). */
  readonly cleared: ReadonlySet<ConfigKey>;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

export function readEnvLayer(env: NodeJS.ProcessEnv): EnvLayer {
  const values: ConfigValues = {};
  const origins: Partial<Record<ConfigKey, string>> = {};
  const cleared = new Set<ConfigKey>();
  for (const [name, key] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined) continue;
    const bad = (expected: string) => badInput(`environment variable ${name} has value ${show(raw)}; expected ${expected}`);
    const text = raw.trim();
    // An empty ISA_LEVEL= (or mode) on a make command line means "not set", as make users expect.
    if (text === '' && (key === 'level' || key === 'onViolation' || key === 'audit')) continue;
    switch (key) {
      case 'level': {
        const req = parseLevelRequest(text);
        if (req === undefined) throw bad(LEVEL_EXPECTED);
        values.level = req;
        break;
      }
      case 'cc':
      case 'cxx':
      case 'ld': {
        // Several words: a launcher and the tool (`ccache gcc`), split on whitespace like make does.
        const words = text.split(/\s+/).filter(Boolean);
        if (words.length === 0) continue; // empty: as if unset, the default search applies
        values[key] = words;
        break;
      }
      case 'onViolation':
        if (!ON_VIOLATION.includes(text as OnViolation)) throw bad(ON_VIOLATION.join(' | '));
        values.onViolation = text as OnViolation;
        break;
      case 'audit':
        if (!AUDIT_MODES.includes(text as AuditMode)) throw bad(AUDIT_MODES.join(' | '));
        values.audit = text as AuditMode;
        break;
      case 'allow':
        values.allow = text.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case 'log':
        if (text === '') cleared.add('log');
        else values.log = raw;
        break;
      case 'debug': {
        const t = text.toLowerCase();
        if (TRUE.has(t)) values.debug = true;
        else if (FALSE.has(t)) values.debug = false;
        else throw bad('1 or 0 (true/false, yes/no, on/off)');
        break;
      }
    }
    origins[key] = `env ${name}`;
  }
  return { values, origins, cleared };
}
