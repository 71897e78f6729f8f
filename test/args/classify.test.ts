import { describe, expect, it } from 'vitest';
import { classifyDriver, classifyLinker, type Step } from '../../src/args/classify.js';

describe('classifyDriver', () => {
  it.each<[string[], Step, string | undefined]>([
    [['-c', 'a.c', '-o', 'a.o'], 'compile', 'a.o'],
    [['-S', 'a.c'], 'compile', undefined],
    [['-c', 'a.s'], 'assemble', undefined],
    [['-c', '-x', 'c', '/dev/null', '-o', '/tmp/x'], 'compile', '/tmp/x'],
    [['-E', 'a.c'], 'preprocess', undefined],
    [['-M', 'a.c'], 'preprocess', undefined],
    [['-MM', 'a.c'], 'preprocess', undefined],
    [['-MD', '-MF', 'a.d', '-c', 'a.c'], 'compile', undefined],
    [['-o', 'prog', 'a.o', 'b.o', '-lm'], 'link', 'prog'],
    [['a.o'], 'link', 'a.out'],
    [['-oprog', 'a.c'], 'link', 'prog'],
    [['-r', '-o', 'x.o', 'a.o'], 'partial-link', 'x.o'],
    [['-Wl,-r', '-o', 'x.o', 'a.o'], 'partial-link', 'x.o'],
    [['-shared', '-fPIC', '-o', 'p.so', 'a.o'], 'shared', 'p.so'],
    [['-v'], 'query', undefined],
    [['-v', '-c', 'a.c'], 'compile', undefined],
    [['--version'], 'query', undefined],
    [['-print-file-name=plugin'], 'query', undefined],
    [[], 'query', undefined],
  ])('%j is %s', (args, step, output) => {
    const info = classifyDriver(args);
    expect(info.step).toBe(step);
    expect(info.output).toBe(output);
  });

  it('an option value is not an input', () => {
    const info = classifyDriver(['-MF', 'dep.c', '-include', 'x.h', '-o', 'out.c', 'real.o']);
    expect(info.inputs).toEqual(['real.o']);
    expect(info.compilesSource).toBe(false);
  });
  it('sees stdin, sources, -march, -mtune and -flto', () => {
    const info = classifyDriver(['-E', '-P', '-x', 'c', '-', '-march=x', '-mtune=y', '-flto=auto']);
    expect(info).toMatchObject({ compilesSource: true, hasMarch: true, hasMtune: true, lto: true, inputs: ['-'] });
  });
});

describe('classifyLinker', () => {
  it.each<[string[], Step, string | undefined]>([
    [['-o', 'p', 'a.o'], 'link', 'p'],
    [['--output=p', 'a.o'], 'link', 'p'],
    [['-r', '-o', 'x.o', 'a.o'], 'partial-link', 'x.o'],
    [['-shared', '-o', 'x.so', 'a.o'], 'shared', 'x.so'],
    [['--version'], 'query', undefined],
    [['-v', '-o', 'p', 'a.o'], 'link', 'p'],
  ])('%j is %s', (args, step, output) => {
    const info = classifyLinker(args);
    expect(info.step).toBe(step);
    expect(info.output).toBe(output);
  });
});
