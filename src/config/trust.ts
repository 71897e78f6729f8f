// Whether a config file may choose which program runs or where files are written. An unpacked
// kernel tarball (files owned by whoever made the tarball, or world-writable after a careless
// extraction) must not be able to pick the compiler a root build runs.
import type { Stats } from 'node:fs';

export interface TrustVerdict {
  readonly trusted: boolean;
  /** Why not, for the message: `owned by uid 12345`, `world-writable (mode 0666)`. */
  readonly reason?: string;
}

/** Trusted: owned by the current user or root, and neither group- nor world-writable. */
export function trustOf(st: Pick<Stats, 'uid' | 'mode'>, uid: number): TrustVerdict {
  const reasons: string[] = [];
  if (st.uid !== uid && st.uid !== 0) reasons.push(`owned by uid ${st.uid}, not by you (uid ${uid}) or root`);
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  if (st.mode & 0o002) reasons.push(`world-writable (mode ${mode})`);
  else if (st.mode & 0o020) reasons.push(`group-writable (mode ${mode})`);
  return reasons.length === 0 ? { trusted: true } : { trusted: false, reason: reasons.join(' and ') };
}

export function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}
