// Shared test helpers: run real programs, make temp dirs, skip with a printed reason when a tool is missing.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin');

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

export function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

export function tmp(prefix = 'isa-shim-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The level in `readelf -n`'s "x86 ISA needed:" line: 0 when there is no such line. */
export function readelfNeeded(file: string): number {
  const out = run('readelf', ['-n', file]).stdout;
  const m = /x86 ISA needed: ([^\n]*)/.exec(out);
  if (!m) return 0;
  const levels = [...m[1]!.matchAll(/x86-64-(baseline|v(\d))/g)].map((x) => (x[1] === 'baseline' ? 1 : Number(x[2])));
  return Math.max(0, ...levels);
}

/** Instructions above x86-64-v2 in objdump's disassembly (AVX*, FMA, BMI1/2, LZCNT, MOVBE). */
export function aboveV2Instructions(file: string): string[] {
  const out = run('objdump', ['-d', '--no-show-raw-insn', file]).stdout;
  const hits: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, mnem, ops] = m as unknown as [string, string, string];
    if (/^(v[a-z0-9]+|andn|bextr|blsi|blsmsk|blsr|bzhi|pdep|pext|rorx|sarx|shlx|shrx|lzcnt|tzcnt|movbe|xsave\w*|xrstor\w*)$/.test(mnem) || /%[yz]mm/.test(ops)) {
      hits.push(line.trim());
    }
  }
  return hits;
}

export const NEHALEM = ['-cpu', 'Nehalem'];
