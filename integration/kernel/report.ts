// The harness's table: variant x tool, note / code / Nehalem job before and after, then one line
// per variant for the DKMS module build, with times and log paths.
import type { ModeResult, ToolResult, VariantResult } from './harness.js';
import { jobDescriptions } from './jobs.js';
import { CACHE, type Mode } from './setup.js';

const NOTE_SHORT: Record<number, string> = { 0: 'none', 1: 'baseline', 2: 'v2', 3: 'v3', 4: 'v4' };

function cut(s: string, n: number): string {
  // Paths inside the object dirs and the cache are shown relative: the tool's name is what matters.
  const one = s.split(`${CACHE}/obj/gcc/`).join('').split(`${CACHE}/obj/llvm/`).join('').split(`${CACHE}/`).join('')
    .replace(/\|/g, '/').replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function noteCell(t: ToolResult | undefined): string {
  if (!t) return '';
  if (!t.present) return 'missing';
  if (t.error) return 'error';
  return t.note ? NOTE_SHORT[t.note.level] ?? t.note.needed : '?';
}

function codeCell(t: ToolResult | undefined): string {
  if (!t || !t.present) return '';
  if (!t.code) return 'error';
  if (t.code.count === 0) return '0';
  return `${t.code.count} (${t.code.top.slice(0, 2).join(' ')})`;
}

function jobCell(t: ToolResult | undefined): string {
  if (!t || !t.present) return '';
  if (!t.job) return t.error ? `error: ${cut(t.error, 50)}` : '';
  return t.job.ok ? 'ok' : `FAIL: ${cut(t.job.detail, 70)}`;
}

function modeOf(v: VariantResult, m: Mode): ModeResult | undefined {
  return v.modes[m];
}

function secs(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;
}

export interface ReportMeta {
  readonly totalMs: number;
  readonly shimProblem?: string;
  readonly setup: { src: { unpacked: boolean; ms: number }; configure: Record<string, { configured: boolean; ms: number }> };
}

export function renderReport(results: readonly VariantResult[], meta: ReportMeta): string {
  const out: string[] = [];
  out.push('# isa-shim kernel end-to-end report', '');
  out.push(`Linux 6.1 (Debian linux-source-6.1), x86_64_defconfig + DEBUG_INFO_BTF, MODVERSIONS, MODULE_SIG, GCC_PLUGINS (latent_entropy).`);
  out.push(`"before" = plain compilers in the leaky environment, "after" = the same through bin/isa-hostcc/isa-hostcxx/isa-hostld.`);
  out.push(`note = readelf -n "x86 ISA needed"; >v2 = instructions above x86-64-v2 found by an objdump -d scan; Nehalem = the tool's job under qemu-x86_64 -cpu Nehalem.`);
  out.push('');
  out.push(`Total wall time ${secs(meta.totalMs)}; source ${meta.setup.src.unpacked ? 'unpacked' : 'reused'} (${secs(meta.setup.src.ms)}); ` +
    Object.entries(meta.setup.configure).map(([f, c]) => `objdir ${f} ${c.configured ? 'configured' : 'reused'} (${secs(c.ms)})`).join(', ') + '.');
  if (meta.shimProblem) out.push('', `**Shim unavailable, "after" not run:** ${meta.shimProblem}`);
  out.push('');

  out.push('## Module build (make -C <objdir> M=<dir> modules, fixdep/objtool/genksyms/modpost/cc1 under Nehalem, then sign-file)', '');
  out.push('| # | variant | host-tool build before | after | module before | module after |');
  out.push('|---|---|---|---|---|---|');
  for (const v of results) {
    const b = modeOf(v, 'before');
    const a = modeOf(v, 'after');
    const build = (m: ModeResult | undefined) => (!m ? 'not run' : m.buildOk ? `ok ${secs(m.buildMs)}` : `FAIL ${secs(m.buildMs)}: ${cut(m.buildError ?? '', 90)}`);
    const mod = (m: ModeResult | undefined) =>
      !m?.module ? 'not run' : m.module.ok ? `ok ${secs(m.module.ms)}` : `FAIL ${secs(m.module.ms)}: ${cut(m.module.detail, 110)}`;
    out.push(`| ${v.variant.n} | ${v.variant.id}: ${v.variant.title} | ${build(b)} | ${build(a)} | ${mod(b)} | ${mod(a)} |`);
  }
  out.push('');

  out.push('## Matrix: note / instructions above v2 / Nehalem job, before → after', '');
  out.push('ISA = refused by the loader ("CPU ISA level is lower than required"), SIGILL = killed by an illegal instruction, n/a = not built in this family.', '');
  out.push(`| tool | ${results.map((v) => `${v.variant.n} ${v.variant.id}`).join(' | ')} |`);
  out.push(`|---|${results.map(() => '---|').join('')}`);
  const toolIds = [...new Set(results.flatMap((v) => [...(v.modes.before?.tools ?? []), ...(v.modes.after?.tools ?? [])].map((t) => t.id)))];
  for (const id of toolIds) {
    const cells = results.map((v) => {
      const one = (m: ModeResult | undefined) => {
        const t = m?.tools.find((x) => x.id === id);
        if (!t) return undefined;
        if (!t.present) return 'missing';
        const job = !t.job ? '?' : t.job.ok ? 'ok' : /ISA level/.test(t.job.detail) ? 'ISA' : /signal 4\b/.test(t.job.detail) ? 'SIGILL' : 'FAIL';
        return `${noteCell(t)}/${t.code?.count ?? '?'}/${job}`;
      };
      const b = one(modeOf(v, 'before'));
      const a = one(modeOf(v, 'after'));
      return b === undefined && a === undefined ? 'n/a' : `${b ?? '–'} → ${a ?? '–'}`;
    });
    out.push(`| ${id} | ${cells.join(' | ')} |`);
  }
  out.push('');

  out.push('## Host tools', '');
  out.push('| # | tool | note before | note after | >v2 insns before | >v2 insns after | Nehalem before | Nehalem after |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const v of results) {
    const b = modeOf(v, 'before');
    const a = modeOf(v, 'after');
    const ids = [...new Set([...(b?.tools ?? []), ...(a?.tools ?? [])].map((t) => t.id))];
    for (const id of ids) {
      const tb = b?.tools.find((t) => t.id === id);
      const ta = a?.tools.find((t) => t.id === id);
      out.push(`| ${v.variant.n} | ${id} | ${noteCell(tb)} | ${noteCell(ta)} | ${codeCell(tb)} | ${codeCell(ta)} | ${jobCell(tb)} | ${jobCell(ta)} |`);
    }
    const extras = [...new Set([...(b?.extras ?? []), ...(a?.extras ?? [])].map((t) => t.id))];
    for (const id of extras) {
      const tb = b?.extras.find((t) => t.id === id);
      const ta = a?.extras.find((t) => t.id === id);
      out.push(`| ${v.variant.n} | ${id} (not in the tool table) | ${noteCell(tb)} | ${noteCell(ta)} | ${codeCell(tb)} | ${codeCell(ta)} | no job | no job |`);
    }
  }
  out.push('');

  out.push('## Times and logs', '');
  out.push('| # | mode | host-tool build | tool checks + jobs | module build | shim calls | build log |');
  out.push('|---|---|---|---|---|---|---|');
  for (const v of results) {
    for (const m of ['before', 'after'] as const) {
      const r = modeOf(v, m);
      if (!r) continue;
      out.push(`| ${v.variant.n} | ${m} | ${secs(r.buildMs)} | ${secs(r.jobsMs)} | ${secs(r.module?.ms)} | ${r.shimCalls ?? ''} | ${r.buildLog} |`);
    }
  }
  out.push('');
  out.push('Shim trace (ISA_LOG of the "after" builds): level used and linked-output verification:', '');
  for (const v of results) {
    const r = modeOf(v, 'after');
    if (!r) continue;
    const ver = Object.entries(r.shimVerify ?? {}).map(([k, n]) => `${k}×${n}`).join(', ') || 'none logged';
    out.push(`- ${v.variant.n} ${v.variant.id}: ${r.shimCalls ?? 0} calls; level ${(r.shimLevels ?? []).map((l) => cut(l, 140)).join('; ') || '?'}; verify ${ver}`);
  }
  out.push('');
  out.push('Commands:', '');
  for (const v of results) {
    for (const m of ['before', 'after'] as const) {
      const r = modeOf(v, m);
      if (r) out.push(`- ${v.variant.n} ${m}: \`${r.command}\``);
    }
  }
  out.push('', '## Jobs run under qemu-x86_64 -cpu Nehalem', '');
  out.push('| tool | job |', '|---|---|');
  for (const [k, d] of jobDescriptions()) out.push(`| ${k} | ${d} |`);
  out.push('');
  return out.join('\n');
}
