// The configuration seam every wrapper and command calls: resolveSettings(ctx) -> Settings.
// Precedence: ISA_* environment > one config file (first found) > defaults; see docs/configuration.md.
import type { Settings, SettingsContext } from '../settings.js';
import { cacheDir, keyMaterial, keyOf, readCache, writeCache } from './cache.js';
import { resolveUncached, type Resolution, type ResolveOptions } from './resolve.js';
import { currentUid } from './trust.js';

export type { Resolution, ResolveOptions } from './resolve.js';
export { searchRoots, globalStems, SEARCH_PLACES, GLOBAL_EXTENSIONS } from './files.js';
export { CONFIG_KEYS, PRIVILEGED_KEYS, validateConfig, suggestKey } from './schema.js';
export { ENV_KEYS } from './env.js';
export { cacheDir, cacheKey, cachePath } from './cache.js';

export type ResolutionWithCache = Resolution & { readonly cache: 'hit' | 'miss' | 'off' };

const warned = new Set<string>();
function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`${line}\n`);
}

/**
 * Resolves settings with their origins, through the cache when allowed. Refusal notices (trust
 * rule) are printed when the file is actually read, i.e. once per change of the configuration,
 * not on every compile; `isa-shim config` always shows them.
 */
export function resolveSettingsDetailed(ctx: SettingsContext & Partial<ResolveOptions>): ResolutionWithCache {
  const opts: ResolveOptions = ctx;
  const uid = opts.uid ?? currentUid();
  const dir = opts.cache === false ? undefined : cacheDir(opts.env);
  const material = dir ? keyMaterial(opts.env, opts.cwd, uid, opts.cpuinfoPath) : '';
  const key = dir ? keyOf(material) : '';
  if (dir) {
    const hit = readCache(dir, key, material, uid);
    if (hit) return { ...hit, cache: 'hit' };
  }
  const resolution = resolveUncached(opts);
  for (const w of resolution.warnings) (opts.warn ?? warnOnce)(w);
  if (dir) writeCache(dir, key, material, resolution);
  return { ...resolution, cache: dir ? 'miss' : 'off' };
}

/** The seam of issue 2: the settings a wrapped call acts on. Sync; throws ShimError(exit 2) on bad input. */
export function resolveSettings(ctx: SettingsContext & Partial<ResolveOptions>): Settings {
  return resolveSettingsDetailed(ctx).settings;
}
