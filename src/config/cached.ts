// Settings from the cache alone, never parsing a config file: what the compiled runtime may use
// (it carries no config parsers). undefined on a miss: the caller hands the call to Node.js.
import type { Settings } from '../settings.js';
import { cacheDir, cacheKey, keyMaterial, readCache } from './cache.js';
import { currentUid } from './trust.js';

export function cachedSettings(ctx: { env: NodeJS.ProcessEnv; cwd: string }): Settings | undefined {
  const dir = cacheDir(ctx.env);
  if (!dir) return undefined;
  const uid = currentUid();
  return readCache(dir, cacheKey(ctx.env, ctx.cwd, uid, undefined), keyMaterial(ctx.env, ctx.cwd, uid, undefined), uid)?.settings;
}
