import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { processTests } from '../helpers/process-tests.js'

// vitest.config.ts puts these files in the `process` project, the rest in `unit`.
describe('processTests', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-process-tests-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  // Written with a placeholder so that this file's own text does not import child_process to the scanner.
  const CP = 'child_process'
  file('test/helpers/run.ts', `import { spawn } from 'node:${CP}'\nexport const run = spawn\n`)
  file('test/helpers/cli.ts', "import { run } from './run.js'\nexport const cli = run\n")
  file('test/helpers/upstreams.ts', `import { spawn } from 'node:${CP}'\nexport const mock = spawn\n`)
  file('test/helpers/loop-a.ts', "import { b } from './loop-b.js'\nexport const a = b\n")
  file(
    'test/helpers/loop-b.ts',
    "import { a } from './loop-a.js'\nimport { cli } from './cli.js'\nexport const b = [a, cli]\n",
  )
  file('test/direct.test.ts', `import { execFile } from '${CP}'\n`)
  file('test/deep.test.ts', "import { cli } from './helpers/cli.js'\n")
  file('test/cycle.test.ts', "import { a } from './helpers/loop-a'\n")
  file('test/dynamic.test.ts', "const { cli } = await import('./helpers/cli.js')\n")
  file('test/mock-only.test.ts', "import { mock } from './helpers/upstreams.js'\n")
  file('test/plain.test.ts', "import { describe } from 'vitest'\n// import { cli } from './helpers/cli.js'\n")
  file('src-gateway/thing.test.ts', "import { x } from './thing.js'\n")
  file('src-gateway/thing.ts', 'export const x = 1\n')

  it('finds the tests that start a process, directly or through helpers at any depth', () => {
    expect(processTests(root, ['src-gateway', 'test']).sort()).toEqual([
      'test/cycle.test.ts',
      'test/deep.test.ts',
      'test/direct.test.ts',
      'test/dynamic.test.ts',
    ])
  })
})
