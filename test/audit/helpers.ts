// Test-only helpers: compile small programs in a temp dir and load their code with binutils' readelf,
// an independent reader, so these tests do not depend on (or share bugs with) src/elf.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeImage, CodeSection, FunctionSymbol } from '../../src/elf/types.js';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export class Workdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'isa-audit-'));

  /** Writes `source` to `name` and compiles it with `cc args`; returns the output path. */
  build(cc: string, name: string, source: string, args: readonly string[], out = name.replace(/\.\w+$/, '')): string {
    const src = join(this.dir, name);
    const exe = join(this.dir, out);
    writeFileSync(src, source);
    execFileSync(cc, [...args, src, '-o', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
    return exe;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const SECTION_RE = /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)\s/;
const SYMBOL_RE = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(FUNC|IFUNC)\s+\S+\s+\S+\s+(\d+)\s+(\S+)/;

/** Executable PROGBITS sections and function symbols (.symtab, else .dynsym), as readelf prints them. */
export function loadImage(path: string): CodeImage {
  const file = readFileSync(path);
  const bitness = file[4] === 2 ? 64 : 32;
  const sections: CodeSection[] = [];
  for (const line of execFileSync('readelf', ['-SW', path], { encoding: 'utf8' }).split('\n')) {
    const m = SECTION_RE.exec(line);
    if (m === null || m[2] !== 'PROGBITS' || !m[6]!.includes('X')) continue;
    const off = parseInt(m[4]!, 16);
    const size = parseInt(m[5]!, 16);
    sections.push({ name: m[1]!, addr: BigInt(`0x${m[3]}`), bytes: new Uint8Array(file.subarray(off, off + size)) });
  }
  const tables = new Map<string, FunctionSymbol[]>();
  let current = '';
  const symOut = execFileSync('readelf', ['-sW', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const line of symOut.split('\n')) {
    const t = /^Symbol table '([^']+)'/.exec(line);
    if (t !== null) {
      current = t[1]!;
      tables.set(current, []);
      continue;
    }
    const m = SYMBOL_RE.exec(line);
    if (m === null) continue;
    tables.get(current)!.push({
      name: m[5]!.replace(/@.*$/, ''),
      addr: BigInt(`0x${m[1]}`),
      size: BigInt(m[2]!),
      ifunc: m[3] === 'IFUNC',
    });
  }
  const functions = tables.get('.symtab') ?? tables.get('.dynsym') ?? [];
  return { bitness, sections, functions };
}
