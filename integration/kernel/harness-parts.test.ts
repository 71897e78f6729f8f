// Fast checks of the harness's own judges (no kernel needed): the note parser, the objdump scan,
// and the error-line extraction the report relies on.
import { describe, expect, it } from 'vitest';
import { instructionLevel, parseReadelfNotes, scanObjdump } from './inspect.js';
import { failedMakeTarget, firstErrorLine } from './run.js';

describe('readelf -n parsing', () => {
  it('takes the highest level named', () => {
    const text = `Displaying notes found in: .note.gnu.property
  Owner                Data size 	Description
  GNU                  0x00000010	NT_GNU_PROPERTY_TYPE_0
      Properties: x86 ISA needed: x86-64-baseline, x86-64-v2, x86-64-v3
`;
    expect(parseReadelfNotes(text)).toEqual({ needed: 'x86-64-v3', level: 3 });
  });
  it('reports none without an ISA needed property', () => {
    expect(parseReadelfNotes('Properties: x86 feature: IBT, SHSTK\n')).toEqual({ needed: 'none', level: 0 });
  });
});

describe('objdump scan', () => {
  const text = [
    '0000000000001120 <main>:',
    '    1120:\tendbr64',
    '    1124:\tvmovdqu (%rdi),%ymm0',
    '    1128:\tshlx   %eax,%edx,%ecx',
    '    112d:\trep bsf %eax,%eax',
    '    1131:\ttzcnt  %eax,%eax',
    '    1135:\tpopcnt %eax,%eax',
    '0000000000001140 <f>:',
    '    1140:\tvpaddd %zmm1,%zmm2,%zmm3{%k1}',
    '    1146:\tnotrack jmp *%rax',
    '    1149:\tlock cmpxchg16b (%rdi)',
  ].join('\n');
  it('counts AVX, BMI2 and AVX-512, not tzcnt/rep bsf, popcnt or cmpxchg16b', () => {
    const s = scanObjdump(text);
    expect(s.count).toBe(3);
    expect(s.level).toBe(4);
    expect(s.functions).toEqual(['main', 'f']);
    expect(s.instructions).toBe(9);
  });
  it('classifies single instructions', () => {
    expect(instructionLevel('vmovaps', '%xmm0,%xmm1')).toBe(3);
    expect(instructionLevel('movaps', '%xmm0,%xmm1')).toBe(0);
    expect(instructionLevel('movbe', '(%rdi),%eax')).toBe(3);
    expect(instructionLevel('verw', '(%rax)')).toBe(0);
  });
});

describe('error extraction', () => {
  const log = [
    '  HOSTCC  scripts/basic/fixdep',
    'scripts/basic/fixdep: CPU ISA level is lower than required',
    'make[2]: *** [/src/scripts/Makefile.build:250: scripts/mod/empty.o] Error 1',
    'make[1]: *** [Makefile:1200: prepare0] Error 2',
  ].join('\n');
  it('finds the cause, not make\'s summary', () => {
    expect(firstErrorLine(log)).toBe('scripts/basic/fixdep: CPU ISA level is lower than required');
    expect(failedMakeTarget(log)).toBe('scripts/mod/empty.o');
  });
});
