import { defineConfig } from 'vitest/config'
import { processTests } from './test/helpers/process-tests.js'

const INCLUDE = [
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
  // Issue 21's team mode: accounts, permissions, workspaces, single sign-on.
  'test/team/**/*.test.ts',
  // Issue 22's several instances: Redis-shared state, nginx in front (test/helpers/gateway-cluster.ts).
  'test/scale-out/**/*.test.ts',
]

const PROCESS_TESTS = processTests(import.meta.dirname, ['src-gateway', 'src-renderer', 'test'])

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One run, two projects side by side: in-process tests, and the tests that start processes. A spawned
    // `tsx` compiles the gateway before it answers, seconds on a busy machine, so those get longer timeouts.
    projects: [
      { extends: true, test: { name: 'unit', include: INCLUDE, exclude: PROCESS_TESTS } },
      {
        extends: true,
        test: { name: 'process', include: PROCESS_TESTS, testTimeout: 60_000, hookTimeout: 60_000 },
      },
    ],
  },
})
