// Example JavaScript config (.isarc.cjs / .isarc.mjs / isa.config.js). It runs in a child node
// process with a time limit (ISA_CONFIG_TIMEOUT_MS, default 3000) and must export plain data.
// A JavaScript config that is not owned by you or root, or is group/world-writable, is never run.
module.exports = {
  level: process.env.CI ? 'x86-64' : 'auto',
  onViolation: 'fix',
};
