// Interim settings seam: ISA_* variables only. src/config replaces it with files, detection and a
// cache; the wrappers only ever call resolveSettings() and read Settings.
import { parseLevel, LEVEL_SPELLINGS_HELP, type Level } from './level.js';
import { EXIT, ShimError } from './exit-codes.js';
import type { OnViolation, Settings, SettingsContext, Sourced } from './settings.js';

const d = <T>(value: T): Sourced<T> => ({ value, origin: 'default' });
const e = <T>(value: T, name: string): Sourced<T> => ({ value, origin: `env ${name}` });

function words(v: string | undefined, name: string): Sourced<readonly string[] | undefined> {
  if (v === undefined || v.trim() === '') return d(undefined);
  return e(v.trim().split(/\s+/), name);
}

export function resolveSettings(ctx: SettingsContext): Settings {
  const env = ctx.env;
  let level: Sourced<Level> = d(1);
  if (env.ISA_LEVEL !== undefined && env.ISA_LEVEL !== '' && env.ISA_LEVEL !== 'auto') {
    const l = parseLevel(env.ISA_LEVEL);
    if (l === undefined) {
      throw new ShimError(`ISA_LEVEL=${env.ISA_LEVEL}: expected one of ${LEVEL_SPELLINGS_HELP}`, EXIT.BAD_INPUT);
    }
    level = e(l, 'ISA_LEVEL');
  }
  const ov = env.ISA_ON_VIOLATION;
  let onViolation: Sourced<OnViolation> = d('fix');
  if (ov !== undefined && ov !== '') {
    if (ov !== 'fix' && ov !== 'error' && ov !== 'warn') {
      throw new ShimError(`ISA_ON_VIOLATION=${ov}: expected fix, error or warn`, EXIT.BAD_INPUT);
    }
    onViolation = e(ov, 'ISA_ON_VIOLATION');
  }
  return {
    level,
    levelRequest: level,
    cc: words(env.ISA_HOSTCC, 'ISA_HOSTCC'),
    cxx: words(env.ISA_HOSTCXX, 'ISA_HOSTCXX'),
    ld: words(env.ISA_HOSTLD, 'ISA_HOSTLD'),
    onViolation,
    audit: d('on-violation'),
    allow: d([]),
    log: env.ISA_LOG ? e(env.ISA_LOG, 'ISA_LOG') : d(undefined),
    debug: env.ISA_DEBUG && env.ISA_DEBUG !== '0' ? e(true, 'ISA_DEBUG') : d(false),
  };
}
