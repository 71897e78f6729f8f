import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  expandResponseFiles,
  formatResponseText,
  parseResponseText,
  ResponseFileError,
} from '../../src/args/response-file.js';

describe('response files', () => {
  it('parses gcc quoting', () => {
    expect(parseResponseText(`-O2  'a b' "c d" e\\ f g\\'h '' "it's"\n-x`)).toEqual(['-O2', 'a b', 'c d', 'e f', "g'h", '', "it's", '-x']);
  });
  it('round-trips any argument list', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (args) => {
        expect(parseResponseText(formatResponseText(args))).toEqual(args);
      }),
      { numRuns: 2000 },
    );
  });
  it('expands nested files and keeps a missing one as given', () => {
    const files: Record<string, string> = { a: '-O2 @b -c', b: "'x y' @missing" };
    const r = expandResponseFiles(['@a', 'z.c'], (p) => files[p]);
    expect(r.args).toEqual(['-O2', 'x y', '@missing', '-c', 'z.c']);
    expect(r.usedResponseFile).toBe(true);
    expect(expandResponseFiles(['@nope'], () => undefined)).toEqual({ args: ['@nope'], usedResponseFile: false });
  });
  it('refuses a file that includes itself', () => {
    expect(() => expandResponseFiles(['@a'], (p) => (p === 'a' ? '@b' : '@a'))).toThrow(ResponseFileError);
  });
});
