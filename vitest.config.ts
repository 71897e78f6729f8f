import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __ISA_COMPILED__: 'false' },
  test: {
    include: ['test/**/*.test.ts', 'integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
  },
});
