// Judging a host binary independently of the product: its ISA note as `readelf -n` prints it, and
// its code by a scan of `objdump -d` for instructions above x86-64-v2 (AVX/AVX2/FMA/F16C by VEX
// mnemonics or ymm/zmm operands, BMI1/BMI2, LZCNT, MOVBE, XSAVE, AVX-512 by zmm/k registers).
import { run } from './run.js';

export interface NoteInfo {
  /** 'none' when there is no x86 ISA needed property. */
  readonly needed: string;
  /** 0 when there is none, else 1..4. */
  readonly level: number;
}

const NOTE_LEVELS: Record<string, number> = { 'x86-64-baseline': 1, 'x86-64-v2': 2, 'x86-64-v3': 3, 'x86-64-v4': 4 };

export function parseReadelfNotes(text: string): NoteInfo {
  const m = /x86 ISA needed:\s*(.+)/.exec(text);
  if (!m?.[1]) return { needed: 'none', level: 0 };
  const names = m[1].split(',').map((s) => s.trim()).filter(Boolean);
  const level = Math.max(0, ...names.map((n) => NOTE_LEVELS[n] ?? 0));
  const top = Object.entries(NOTE_LEVELS).find(([, l]) => l === level)?.[0];
  return { needed: top ?? names.join(','), level };
}

export async function readNote(path: string): Promise<NoteInfo> {
  const r = await run(['readelf', '-n', '-W', path]);
  if (r.code !== 0) throw new Error(`readelf -n ${path}: ${r.stderr.trim()}`);
  return parseReadelfNotes(r.stdout);
}

export interface CodeScan {
  /** Instructions above v2. */
  readonly count: number;
  /** Highest level seen (2 when nothing above v2 was found; v2 itself is not scanned for). */
  readonly level: number;
  /** Up to a few mnemonics with counts, most frequent first. */
  readonly top: readonly string[];
  /** Up to a few functions containing them. */
  readonly functions: readonly string[];
  readonly instructions: number;
}

// VMX/SVM mnemonics start with v too but are not AVX; they never appear in user space host tools.
const V_NOT_AVX = /^(verr|verw|vmcall|vmlaunch|vmresume|vmxoff|vmxon|vmread|vmwrite|vmptrld|vmptrst|vmclear|vmfunc|vmrun|vmload|vmsave|vmmcall)$/;
// tzcnt is absent on purpose: objdump prints gcc's baseline `rep bsf` (F3 0F BC) as tzcnt.
const V3_SCALAR = /^(andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx|lzcnt|movbe|xsave\w*|xrstor\w*)$/;

/** Classifies one `objdump -d --no-show-raw-insn` instruction; 0 when it is at most v2. */
export function instructionLevel(mnemonic: string, operands: string): number {
  if (/%zmm|%k[0-7]\b|\{%k/.test(operands)) return 4;
  if (/%ymm/.test(operands)) return 3;
  if (mnemonic.startsWith('v') && !V_NOT_AVX.test(mnemonic)) return 3;
  if (V3_SCALAR.test(mnemonic)) return 3;
  return 0;
}

export function scanObjdump(text: string): CodeScan {
  let fn = '?';
  let count = 0;
  let level = 2;
  let instructions = 0;
  const byMnemonic = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (f?.[1]) {
      fn = f[1];
      continue;
    }
    const m = /^\s+[0-9a-f]+:\t(?:\{\S+\}\s+)?([a-z][\w.]*)\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    instructions++;
    let mnemonic = m[1];
    let operands = m[2] ?? '';
    // prefixes printed as separate words (rep, lock, notrack, bnd, data16, cs, ...)
    while (/^(rep\w*|lock|notrack|bnd|data16|addr32|cs|ds|es|ss|fs|gs)$/.test(mnemonic)) {
      const next = /^([a-z][\w.]*)\s*(.*)$/.exec(operands);
      if (!next?.[1]) break;
      mnemonic = next[1];
      operands = next[2] ?? '';
    }
    const l = instructionLevel(mnemonic, operands);
    if (l > 2) {
      count++;
      level = Math.max(level, l);
      byMnemonic.set(mnemonic, (byMnemonic.get(mnemonic) ?? 0) + 1);
      fns.set(fn, (fns.get(fn) ?? 0) + 1);
    }
  }
  const top = [...byMnemonic.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k}×${v}`);
  const functions = [...fns.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k]) => k);
  return { count, level, top, functions, instructions };
}

export async function scanCode(path: string): Promise<CodeScan> {
  const r = await run(['objdump', '-d', '--no-show-raw-insn', '-w', path], { captureLimit: 512 << 20 });
  if (r.code !== 0) throw new Error(`objdump -d ${path}: ${r.stderr.trim()}`);
  return scanObjdump(r.stdout);
}
