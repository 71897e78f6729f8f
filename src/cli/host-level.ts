// The host CPU's level, asked only when a call says `native`. Read once per process.
import type { Level } from '../level.js';
import { detectHostLevel } from '../detect/host.js';

let cached: Level | undefined;
export function hostLevel(): Level {
  cached ??= detectHostLevel().level;
  return cached;
}
