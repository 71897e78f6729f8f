// The command line people expect: --help on every command, --version, the wrappers' --help being the
// real tool's, colour only on a terminal and never with NO_COLOR.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useColor } from '../../src/cli/options.js';
import { BIN, ROOT, have, run, tmp } from '../helpers.js';

const SHIM = join(BIN, 'isa-shim');
const env = { ...process.env, ISA_DEBUG: '', ISA_LOG: '', ISA_NO_CONFIG: '1', NO_COLOR: '' };
const shim = (args: string[], extra: Record<string, string> = {}) => run(SHIM, args, { env: { ...env, ...extra } });

const COMMANDS = ['check', 'fix', 'audit', 'explain', 'config', 'detect', 'env', 'doctor'];

describe('isa-shim --help and --version', () => {
  it.each([['--help'], ['-h'], ['help'], []])('isa-shim %j lists every command, exit 0', (...args) => {
    const r = shim(args.filter(Boolean) as string[]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
  });

  it.each(COMMANDS.flatMap((c) => [[c, '--help'], [c, '-h']]))('isa-shim %s %s: usage on stdout, exit 0, runs nothing', (c, flag) => {
    const r = shim([c, flag]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Usage: isa-shim ${c}\\b`));
  });

  it('--version and -V print the package version', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    for (const f of ['--version', '-V']) {
      const r = shim([f]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`isa-shim ${version}\n`);
    }
  });

  it('an unknown command or option is one line on stderr, exit 2', () => {
    for (const args of [['frobnicate'], ['check', '--frob', '/bin/true']]) {
      const r = shim(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('the wrappers have no --help of their own: it is the real tool\'s (probes must see the real tool)', () => {
  it.each([
    ['isa-hostcc', 'gcc', '--help', {}],
    ['isa-hostcc', 'gcc', '--version', {}],
    ['isa-hostcc', 'gcc', '--version', { ISA_RUNTIME: 'node' }],
    ['isa-hostcxx', 'g++', '--version', {}],
    ['isa-hostld', 'ld', '--version', {}],
    ['isa-hostld', 'ld', '--help', {}],
  ] as const)('%s %s %s', (wrapper, tool, flag, extra) => {
    const toolVar = wrapper === 'isa-hostcc' ? 'ISA_HOSTCC' : wrapper === 'isa-hostcxx' ? 'ISA_HOSTCXX' : 'ISA_HOSTLD';
    const w = run(join(BIN, wrapper), [flag], { env: { ...env, ISA_LEVEL: 'v2', [toolVar]: tool, ...extra } });
    // The wrapper runs the tool by the path it found on PATH (ld prints that path in its --help).
    const real = run(run('sh', ['-c', `command -v ${tool}`]).stdout.trim(), [flag]);
    expect(w.status).toBe(real.status);
    expect(w.stdout).toBe(real.stdout);
    expect(w.stdout).not.toContain('isa-shim');
  });
});

describe('colour: only on a terminal, never with NO_COLOR', () => {
  let file: string;
  beforeAll(() => {
    const d = tmp('isa-shim-cli-');
    writeFileSync(join(d, 'h.c'), 'int main(void){return 0;}\n');
    file = join(d, 'noted');
    expect(run('gcc', ['-O2', '-Wl,-z,x86-64-v3', join(d, 'h.c'), '-o', file]).status).toBe(0);
  });

  const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('useColor: TTY yes; not a TTY, NO_COLOR=1, TERM=dumb no; NO_COLOR= (empty) does not count', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm';
    expect(useColor(tty)).toBe(true);
    expect(useColor(pipe)).toBe(false);
    process.env.NO_COLOR = '1';
    expect(useColor(tty)).toBe(false);
    process.env.NO_COLOR = '';
    expect(useColor(tty)).toBe(true);
    delete process.env.NO_COLOR;
    process.env.TERM = 'dumb';
    expect(useColor(tty)).toBe(false);
  });

  it('a pipe gets no escape sequences', () => {
    for (const c of [['check', '--level', 'v2', file], ['audit', '--level', 'v2', '--no-code', join(file, '..')]]) {
      const r = shim(c);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^FAIL /m);
      expect(r.stdout).not.toContain('\u001b[');
    }
  });

  it.skipIf(!have('script'))('a terminal (script -qec, a pty) gets a red FAIL; with NO_COLOR=1 it does not', () => {
    const cmd = `${SHIM} check --level v2 ${file}`;
    const tty = run('script', ['-qec', cmd, '/dev/null'], { env: { ...env, TERM: 'xterm' } });
    expect(tty.stdout).toContain('\u001b[31mFAIL ');
    const no = run('script', ['-qec', cmd, '/dev/null'], { env: { ...env, TERM: 'xterm', NO_COLOR: '1' } });
    expect(no.stdout).toMatch(/FAIL {2}/);
    expect(no.stdout).not.toContain('\u001b[31m');
    const audit = run('script', ['-qec', `${SHIM} audit --level v2 --no-code ${join(file, '..')}`, '/dev/null'], { env: { ...env, TERM: 'xterm' } });
    expect(audit.stdout).toContain('\u001b[31mFAIL ');
  });
});
