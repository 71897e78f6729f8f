// The code audit's public surface. It loads iced-x86 (a 0.8 MB WASM module): import it lazily
// (`await import('../audit/index.js')`) from code paths that do not always audit.

export { auditCode } from './audit.js';
export type { AuditOptions, AuditResult, FunctionFinding, Guard, GuardReason } from './audit.js';
export { formatAudit, formatFinding, rankName } from './format.js';
export type { FormatOptions } from './format.js';
export { cloneTag, glibcMultiarchTag } from './guards.js';
export { featureRankOf, featureName } from './features.js';
