// Interim host-level reader until src/detect/host.ts lands: /proc/cpuinfo flags, glibc's rules.
import { readFileSync } from 'node:fs';
import type { Level } from '../level.js';

const V2 = ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3', 'pni'];
const V3 = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];
const V4 = ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'];

export function detectHostLevel(): Level {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return 1;
  }
  const line = /^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
  const flags = new Set(line.split(/\s+/));
  const has = (xs: string[]): boolean => xs.every((x) => flags.has(x));
  if (!has(V2)) return 1;
  if (!has(V3)) return 2;
  if (!has(V4)) return 3;
  return 4;
}
