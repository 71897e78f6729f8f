// The compiled executable's node:path stand-in (src/sys/posix-path.ts) must answer exactly as
// node:path.posix does, for every function the code imports from node:path.
import fc from 'fast-check';
import { posix as node } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ours from '../../src/sys/posix-path.js';

// Paths built from the pieces that make path functions differ: slashes, dots, dot-dots, empties.
const piece = fc.constantFrom('', '/', '//', '.', '..', '...', 'a', 'b.c', '.d', 'e.', 'f..g', 'x y');
const pathArb = fc.array(piece, { maxLength: 7 }).map((ps) => ps.join(''));

describe('src/sys/posix-path.ts equals node:path.posix', () => {
  const cases: Array<[string, (p: string, q: string) => unknown, (p: string, q: string) => unknown]> = [
    ['normalize', (p) => ours.normalize(p), (p) => node.normalize(p)],
    ['isAbsolute', (p) => ours.isAbsolute(p), (p) => node.isAbsolute(p)],
    ['dirname', (p) => ours.dirname(p), (p) => node.dirname(p)],
    ['basename', (p) => ours.basename(p), (p) => node.basename(p)],
    ['extname', (p) => ours.extname(p), (p) => node.extname(p)],
    ['join', (p, q) => ours.join(p, q), (p, q) => node.join(p, q)],
    ['resolve', (p, q) => ours.resolve(p, q), (p, q) => node.resolve(p, q)],
    ['relative', (p, q) => ours.relative(p, q), (p, q) => node.relative(p, q)],
  ];
  it.each(cases)('%s', (_name, f, g) => {
    fc.assert(fc.property(pathArb, pathArb, (p, q) => {
      expect(f(p, q)).toEqual(g(p, q));
    }), { numRuns: 3000 });
  });

  it('join of many parts, and the constants', () => {
    fc.assert(fc.property(fc.array(pathArb, { maxLength: 6 }), (ps) => {
      expect(ours.join(...ps)).toBe(node.join(...ps));
      expect(ours.resolve(...ps)).toBe(node.resolve(...ps));
    }), { numRuns: 3000 });
    expect([ours.sep, ours.delimiter]).toEqual([node.sep, node.delimiter]);
  });
});
