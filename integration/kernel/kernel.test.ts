// Real kernel end to end (issue 5): Linux 6.1 host tools built in leaky environments without and
// with the shim, judged on an emulated x86-64-v2 CPU, plus a DKMS-style module build.
// Runs when /usr/src/linux-source-6.1.tar.xz is installed; ~15 min cold, less warm (see docs/kernel-e2e.md).
import { beforeAll, describe, expect, it as vit } from 'vitest';
import { runHarness, type HarnessResult, type ModeResult } from './harness.js';
import { CacheBusy } from './lock.js';
import { KERNEL_TARBALL, MODULE_BUILD_TOOLS, kernelSourceAvailable, selectedModes, selectedVariants, toolsFor } from './setup.js';

// `npm run test:unit` is `vitest run test`, a path filter that also matches this file's name.
const unitRun = process.env['npm_lifecycle_event'] === 'test:unit';
const available = kernelSourceAvailable();
let skipReason: string | undefined;
if (unitRun) skipReason = 'npm run test:unit does not run the kernel e2e (npm test or npm run test:kernel do)';
else if (!available) skipReason = `${KERNEL_TARBALL} is not installed (apt-get install linux-source-6.1, or set ISA_E2E_KERNEL_TARBALL)`;
if (skipReason) console.log(`kernel e2e skipped: ${skipReason}`);

const MODULE_TOOL_IDS = new Set(['fixdep', 'objtool', 'genksyms', 'modpost', 'sign-file', 'latent_entropy_plugin']);

describe.skipIf(skipReason !== undefined)('kernel e2e: Linux 6.1 host tools through the shim, judged by qemu -cpu Nehalem', () => {
  let result: HarnessResult;
  let busy: string | undefined;

  beforeAll(async () => {
    try {
      result = await runHarness((line) => console.log(line));
    } catch (e) {
      if (!(e instanceof CacheBusy)) throw e;
      busy = e.message;
      console.log(`kernel e2e skipped: ${busy}`);
      return;
    }
    console.log(`\n${result.report}\nreport: ${result.reportPath}`);
  }, 60 * 60_000);

  // Every test skips when another run held the cache for too long.
  const it = (name: string, fn: () => void) =>
    vit(name, (ctx) => {
      if (busy) ctx.skip();
      fn();
    });

  it('the shim wrappers are built and answer', () => {
    expect(result.shimProblem).toBeUndefined();
  });

  const modes = selectedModes();
  for (const v of selectedVariants()) {
    const get = (m: 'before' | 'after'): ModeResult | undefined =>
      result.variants.find((r) => r.variant.n === v.n)?.modes[m];

    if (modes.includes('after')) {
      describe(`variant ${v.n} (${v.id}) through the shim`, () => {
        it('builds modules_prepare', () => {
          const a = get('after');
          expect(a, 'not run').toBeDefined();
          expect(a?.buildError ?? '', `build log: ${a?.buildLog}`).toBe('');
          expect(a?.buildOk).toBe(true);
        });
        it(`every host tool is present with a note at most ${v.level === 1 ? 'x86-64-baseline' : 'x86-64-v2'} and no code above v2`, () => {
          const a = get('after');
          const expected = toolsFor(v.family).map((t) => t.id);
          const rows = (a?.tools ?? []).map((t) => ({
            id: t.id,
            present: t.present,
            note: t.note?.needed,
            noteOk: (t.note?.level ?? 99) <= v.level,
            aboveV2: t.code?.count,
            where: t.code?.functions.join(','),
          }));
          expect(rows.map((r) => r.id)).toEqual(expected);
          const bad = rows.filter((r) => !r.present || !r.noteOk || r.aboveV2 !== 0);
          expect(bad, 'tools with a missing binary, a note above the level or code above v2').toEqual([]);
          const extraBad = (a?.extras ?? []).filter((t) => (t.note?.level ?? 99) > v.level || t.code?.count !== 0);
          expect(extraBad.map((t) => t.id)).toEqual([]);
        });
        it('every host tool does its job on a Nehalem (v2) CPU', () => {
          const a = get('after');
          const bad = (a?.tools ?? []).filter((t) => !t.job?.ok).map((t) => `${t.id}: ${t.job?.detail ?? t.error ?? 'not run'}`);
          expect(bad).toEqual([]);
        });
        it('builds and signs the external module with every host tool and cc1 under Nehalem', () => {
          const m = get('after')?.module;
          expect(m?.detail ?? 'not run', `log: ${m?.log}`).toMatch(/^ok/);
          for (const rel of MODULE_BUILD_TOOLS) expect(m?.ran[rel.split('/').pop() ?? rel], `${rel} ran under qemu`).toBeGreaterThan(0);
          if (v.family === 'gcc') expect(m?.ran['cc1'], 'cc1 ran under qemu').toBeGreaterThan(0);
        });
      });
    }

    if (modes.includes('before')) {
      describe(`variant ${v.n} (${v.id}) without the shim`, () => {
        it('leaks: some host tool needs more than v2 (note or code)', () => {
          const b = get('before');
          const leaky = (b?.tools ?? []).filter((t) => (t.note?.level ?? 0) > 2 || (t.code?.count ?? 0) > 0);
          expect(leaky.length, 'no tool above v2: the variant does not reproduce the bug').toBeGreaterThan(0);
        });
        it('fails the module build on a Nehalem CPU when a tool the build runs is above v2', () => {
          const b = get('before');
          const runsLeaky = (b?.tools ?? []).some(
            (t) => MODULE_TOOL_IDS.has(t.id) && ((t.note?.level ?? 0) > 2 || (t.code?.count ?? 0) > 0),
          );
          expect(runsLeaky, 'a tool the module build runs is above v2').toBe(true);
          expect(b?.module?.ok, `module build without the shim should fail; log: ${b?.module?.log}`).toBe(false);
        });
      });
    }
  }
});
