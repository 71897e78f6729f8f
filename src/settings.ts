// The settings a wrapper or a command acts on, each value with where it came from. The
// configuration module (src/config) produces them; everything else only reads them.
import type { Level } from './level.js';

/** Where a value came from: `env ISA_LEVEL`, `/path/.isarc (key level)`, `kernel CONFIG_MZEN3 in /o/.config`, `default`. */
export type Origin = string;

export interface Sourced<T> {
  readonly value: T;
  readonly origin: Origin;
}

export type LevelRequest = Level | 'kernel' | 'host' | 'auto';
export type OnViolation = 'fix' | 'error' | 'warn';
export type AuditMode = 'always' | 'on-violation' | 'off';

export interface Settings {
  /** The level every wrapped call is pinned to, already resolved from `kernel`/`host`/`auto`. */
  readonly level: Sourced<Level>;
  /** What was asked for before resolution (for `isa-shim config`). */
  readonly levelRequest: Sourced<LevelRequest>;
  /** Real tools: launcher words then the tool, e.g. ['ccache', 'gcc']. undefined: search the defaults. */
  readonly cc: Sourced<readonly string[] | undefined>;
  readonly cxx: Sourced<readonly string[] | undefined>;
  readonly ld: Sourced<readonly string[] | undefined>;
  readonly onViolation: Sourced<OnViolation>;
  readonly audit: Sourced<AuditMode>;
  readonly allow: Sourced<readonly string[]>;
  readonly log: Sourced<string | undefined>;
  readonly debug: Sourced<boolean>;
}

export interface SettingsContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}
