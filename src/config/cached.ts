// Settings from the cache alone, never parsing a config file: what the compiled runtime may use
// (it carries no config parsers). undefined on a miss: the caller hands the call to Node.js.
import type { Settings } from '../settings.js';
import { cacheDir, keyMaterial, keyOf, readCache } from './cache.js';
import { currentUid } from './trust.js';

export function cachedSettings(ctx: { env: NodeJS.ProcessEnv; cwd: string }): Settings | undefined {
  const dir = cacheDir(ctx.env);
  if (!dir) return undefined;
  const uid = currentUid();
  const material = keyMaterial(ctx.env, ctx.cwd, uid, undefined);
  return readCache(dir, keyOf(material), material, uid)?.settings;
}
