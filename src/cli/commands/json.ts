// The JSON shape of one judged file, shared by check, fix and audit (documented in docs/json.md).
import type { Judgement } from '../../verify/judge.js';
import { levelName, type Level } from '../../level.js';

const lvl = (l: number): string | null => (l > 0 && l <= 4 ? levelName(l as Level) : l === 5 ? 'beyond-v4' : null);

export function judgementJson(j: Judgement): Record<string, unknown> {
  const s = j.summary;
  const base: Record<string, unknown> = { path: j.path, verdict: j.verdict, reason: j.reason };
  if (s.kind === 'elf') {
    base.elf = {
      class: s.class,
      machine: s.machineName,
      type: s.typeName,
      needed: lvl(s.neededLevel),
      used: lvl(s.usedLevel),
      noteSource: s.note?.source ?? null,
      isaNeeded: s.names.isaNeeded ?? [],
      isaUsed: s.names.isaUsed ?? [],
      features: s.names.feature1And ?? [],
      feature2Used: s.names.feature2Used ?? [],
    };
  } else if (s.kind === 'archive') {
    base.archive = { members: s.members.length, needed: lvl(s.neededLevel), used: lvl(s.usedLevel) };
  }
  if (j.code) {
    base.code = {
      instructions: j.code.instructions,
      maxLevel: lvl(j.code.maxLevel),
      violations: j.code.violations.map((f) => ({ function: f.name, level: lvl(f.level), features: f.features, count: f.count, firstAddress: `0x${f.firstAddress.toString(16)}`, example: f.example })),
      guarded: j.code.guarded.map((f) => ({ function: f.name, level: lvl(f.level), features: f.features, reason: f.guard ?? null })),
    };
  }
  return base;
}
