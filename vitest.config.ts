import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'src-gateway/**/*.test.ts',
      'src-renderer/**/*.test.ts',
      'test/unit/**/*.test.ts',
      'test/gateway/**/*.test.ts',
      'test/tools/**/*.test.ts',
      'test/security/**/*.test.ts',
      'test/cli/**/*.test.ts',
      // Issue 23's scale tests, at SCALE_ROWS rows (50 000 unless set; SCALE_ROWS=1000000 for the full size).
      'test/scale/**/*.test.ts',
      'test/docs/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
