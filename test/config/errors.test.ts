// Every bad-input path: one line naming the file (or variable), the key, the value and what is
// expected; exit status 2; never a hang, never a stack trace.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/index.js';
import { suggestKey } from '../../src/config/schema.js';
import { baseEnv, scratch, shimError, write } from './helpers.js';

function errorFor(name: string, text: string | undefined, env = baseEnv()) {
  const dir = scratch();
  const file = join(dir, name);
  if (text !== undefined) write(file, text);
  return { file, dir, err: () => shimError(() => resolveSettings({ env, cwd: dir, uid: 0 })) };
}

function expectOneLine(message: string): void {
  expect(message).not.toContain('\n');
  expect(message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
}

describe('schema errors', () => {
  it('unknown key, with did-you-mean for near misses', () => {
    const { file, err } = errorFor('.isarc', 'levle: v3\n');
    const e = err();
    expect(e.code).toBe(2);
    expect(e.message).toBe(`${file}: unknown key "levle" (value "v3"); did you mean "level"?`);
    expectOneLine(e.message);
    expect(errorFor('.isarc', 'on_violation: warn').err().message).toContain('did you mean "onViolation"?');
    expect(errorFor('.isarc.json', '{"Debug": true}').err().message).toContain('did you mean "debug"?');
    expect(errorFor('.isarc', 'compiler: gcc').err().message).toMatch(/unknown key "compiler" \(value "gcc"\); expected one of level, cc, cxx/);
  });

  it('suggestKey only suggests plausible typos', () => {
    expect(suggestKey('alow')).toBe('allow');
    expect(suggestKey('audti')).toBe('audit');
    expect(suggestKey('onviolation')).toBe('onViolation');
    expect(suggestKey('hostcc')).toBeUndefined();
    expect(suggestKey('xyz')).toBeUndefined();
  });

  it.each([
    ['level: v5', /key "level" has value "v5" \(a string\); expected a level \(x86-64\|baseline\|v1\|1, .*\) or kernel, host, auto/],
    ['level: 7', /key "level" has value 7 \(a number\); expected a level/],
    ['level: [v2]', /key "level" has value \["v2"\] \(a list\); expected a level/],
    ['cc: 3', /key "cc" has value 3 \(a number\); expected a command/],
    ['cc: []', /key "cc" has value \[\] \(a list\); expected a command/],
    ['ld: ["ccache", ""]', /key "ld" has value .*; expected a command/],
    ['onViolation: ignore', /key "onViolation" has value "ignore" \(a string\); expected fix \| error \| warn/],
    ['audit: sometimes', /key "audit" has value "sometimes" \(a string\); expected always \| on-violation \| off/],
    ['allow: [1, 2]', /key "allow" has value \[1,2\] \(a list\); expected a list of function-name patterns/],
    ['log: 5', /key "log" has value 5 \(a number\); expected a file path/],
    ['debug: "yes"', /key "debug" has value "yes" \(a string\); expected true or false/],
    ['- level\n- v2', /the file holds a list .*; expected a mapping of keys/],
  ])('wrong type or value: %s', (text, pattern) => {
    const { file, err } = errorFor('.isarc', text);
    const e = err();
    expect(e.code).toBe(2);
    expect(e.message.startsWith(`${file}: `)).toBe(true);
    expect(e.message).toMatch(pattern);
    expectOneLine(e.message);
  });

  it('bad environment values name the variable', () => {
    const dir = scratch();
    const e = shimError(() => resolveSettings({ env: baseEnv({ ISA_LEVEL: 'v9' }), cwd: dir }));
    expect(e.code).toBe(2);
    expect(e.message).toMatch(/^environment variable ISA_LEVEL has value "v9"; expected a level/);
    expect(shimError(() => resolveSettings({ env: baseEnv({ ISA_ON_VIOLATION: 'x' }), cwd: dir })).message).toMatch(/ISA_ON_VIOLATION .*fix \| error \| warn/);
    expect(shimError(() => resolveSettings({ env: baseEnv({ ISA_AUDIT: 'x' }), cwd: dir })).message).toMatch(/ISA_AUDIT/);
    expect(shimError(() => resolveSettings({ env: baseEnv({ ISA_DEBUG: 'maybe' }), cwd: dir })).message).toMatch(/ISA_DEBUG .*expected 1 or 0/);
    expect(shimError(() => resolveSettings({ env: baseEnv({ ISA_CONFIG_TIMEOUT_MS: 'soon', ISA_CONFIG: '/x.js' }), cwd: dir })).code).toBe(2);
  });
});

describe('files that do not parse', () => {
  it('YAML: names the file, line and column', () => {
    const { file, err } = errorFor('.isarc.yaml', 'level: v2\ncc: [gcc\n');
    const e = err();
    expect(e.code).toBe(2);
    expect(e.message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}: cannot parse YAML at line \\d+, column \\d+: `));
    expectOneLine(e.message);
  });
  it('YAML: a duplicated key is an error, not a silent last-wins', () => {
    expect(errorFor('.isarc', 'level: v2\nlevel: v4\n').err().message).toMatch(/cannot parse YAML/);
  });
  it('JSON: names the file', () => {
    const { file, err } = errorFor('.isarc.json', '{ "level": "v2", }');
    const e = err();
    expect(e.message.startsWith(`${file}: cannot parse JSON`)).toBe(true);
    expectOneLine(e.message);
  });
});

describe('weird files', () => {
  it('a directory named .isarc', () => {
    const dir = scratch();
    mkdirSync(join(dir, '.isarc'));
    const e = shimError(() => resolveSettings({ env: baseEnv(), cwd: dir }));
    expect(e.message).toBe(`${join(dir, '.isarc')}: cannot use this config file: it is a directory, expected a regular file`);
  });

  it('a FIFO named .isarc is reported without ever being opened (no hang)', () => {
    const dir = scratch();
    execFileSync('mkfifo', [join(dir, '.isarc')]);
    const started = Date.now();
    const e = shimError(() => resolveSettings({ env: baseEnv(), cwd: dir }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.message).toBe(`${join(dir, '.isarc')}: cannot use this config file: it is a FIFO (named pipe), expected a regular file`);
  });

  it('an enormous file (> 1 MiB)', () => {
    const { file, err } = errorFor('.isarc', `# ${'x'.repeat(1024 * 1024 + 10)}\nlevel: v2\n`);
    expect(err().message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}: cannot use this config file: it is \\d+ bytes, more than the 1 MiB`));
  });

  it('a broken symlink (unreadable)', () => {
    const dir = scratch();
    symlinkSync(join(dir, 'gone'), join(dir, '.isarc.yaml'));
    expect(shimError(() => resolveSettings({ env: baseEnv(), cwd: dir })).message).toBe(
      `${join(dir, '.isarc.yaml')}: cannot use this config file: it is a broken symbolic link`,
    );
  });

  it('a symlink loop', () => {
    const dir = scratch();
    symlinkSync(join(dir, '.isarc'), join(dir, '.isarc'));
    expect(shimError(() => resolveSettings({ env: baseEnv(), cwd: dir })).message).toMatch(/\.isarc: cannot use this config file: too many levels of symbolic links/);
  });

  it('a .isarc.js that throws', () => {
    const { file, err } = errorFor('.isarc.js', 'throw new Error("boom in config");');
    const e = err();
    expect(e.code).toBe(2);
    expect(e.message).toBe(`${file}: the JavaScript config failed: boom in config`);
  });

  it('a .isarc.js with a syntax error', () => {
    const { file, err } = errorFor('.isarc.cjs', 'module.exports = {');
    expect(err().message.startsWith(`${file}: the JavaScript config failed: `)).toBe(true);
  });

  it('a .isarc.mjs that never returns is stopped by the time limit', () => {
    const { file, err } = errorFor('.isarc.mjs', 'await new Promise(() => setInterval(() => {}, 1000));', baseEnv({ ISA_CONFIG_TIMEOUT_MS: '700' }));
    const started = Date.now();
    const e = err();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.message).toBe(`${file}: the JavaScript config did not finish within 700 ms (set ISA_CONFIG_TIMEOUT_MS to allow longer)`);
  });

  it('a .isarc.js busy-looping forever is stopped too', () => {
    const { file, err } = errorFor('.isarc.js', 'for (;;) {}', baseEnv({ ISA_CONFIG_TIMEOUT_MS: '700' }));
    expect(err().message).toBe(`${file}: the JavaScript config did not finish within 700 ms (set ISA_CONFIG_TIMEOUT_MS to allow longer)`);
  });

  it('a .isarc.js exporting a bad value is validated like any file', () => {
    const { file, err } = errorFor('.isarc.js', 'module.exports = { levle: 3 };');
    expect(err().message).toBe(`${file}: unknown key "levle" (value 3); did you mean "level"?`);
  });
});
