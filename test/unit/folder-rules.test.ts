import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cruise, type IViolation } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import { afterAll, describe, expect, it } from 'vitest'

const CONFIG = join(import.meta.dirname, '../../.dependency-cruiser.cjs')

// `npm run lint:deps` passing says nothing if a rule's path pattern matches no file: the rules of
// .dependency-cruiser.cjs against a small tree that breaks each of them once, beside imports they allow.
describe('the folder rules', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-folder-rules-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  // Allowed: a provider uses core and its shared helpers, a policy uses core and config, main uses the gateway.
  file('src-gateway/core/sse.ts', 'export const sse = 1\n')
  file('src-gateway/providers/shared/ids.ts', "import { sse } from '../../core/sse.js'\nexport const ids = sse\n")
  file('src-gateway/config/cache.ts', "import { sse } from '../core/sse.js'\nexport const cache = sse\n")
  file(
    'src-gateway/policies/cache.ts',
    "import { sse } from '../core/sse.js'\nimport { cache } from '../config/cache.js'\nexport const policy = [sse, cache]\n",
  )
  // config/ may read the policy registry (the fields registered policies add), and only it.
  file('src-gateway/policies/registry.ts', "import { sse } from '../core/sse.js'\nexport const fields = sse\n")
  file('src-gateway/config/keys.ts', "import { fields } from '../policies/registry.js'\nexport const keys = fields\n")
  file('src-main/host.ts', "import { policy } from '../src-gateway/policies/cache.js'\nexport const host = policy\n")
  file('src-shared/contract.ts', 'export type Route = { name: string }\n')
  // Broken, one per rule; the renderer's and the cycle's imports are type-only.
  file('src-renderer/page.ts', "import type { Row } from '../src-gateway/store/rows.js'\nexport type Page = Row[]\n")
  file('src-gateway/store/rows.ts', 'export type Row = { id: number }\n')
  file('src-shared/api.ts', "import type { Page } from '../src-renderer/page.js'\nexport type Api = Page\n")
  file(
    'src-gateway/providers/acme/index.ts',
    "import { ids } from '../shared/ids.js'\nimport { policy } from '../../policies/cache.js'\nexport const acme = [ids, policy]\n",
  )
  file('src-gateway/core/upstream.ts', "import { plan } from '../routing/plan.js'\nexport const upstream = plan\n")
  file('src-gateway/routing/plan.ts', 'export const plan = 1\n')
  file('src-gateway/config/schema.ts', "import { policy } from '../policies/cache.js'\nexport const schema = policy\n")
  file('src-gateway/api/a.ts', "import { b } from './b.js'\nexport const a = b\n")
  file('src-gateway/api/b.ts', "import type { a } from './a.js'\nexport const b: typeof a | 1 = 1\n")
  file('node_modules/electron/package.json', '{ "name": "electron", "main": "index.js" }\n')
  file('node_modules/electron/index.js', 'module.exports = {}\n')
  file(
    'src-gateway/host/entry.ts',
    "import { app } from 'electron'\nimport { host } from '../../src-main/host.js'\nexport const entry = [app, host]\n",
  )

  it('report each broken rule, type-only imports included, and nothing else', async () => {
    const { tsConfig: _projectTsConfig, ...options } = await extractDepcruiseOptions(CONFIG)
    const { output } = await cruise(['src-gateway', 'src-renderer', 'src-shared', 'src-main'], {
      ...options,
      baseDir: root,
    })
    const violations = (output as { summary: { violations: IViolation[] } }).summary.violations
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort()).toEqual([
      'config-not-policies: src-gateway/config/schema.ts → src-gateway/policies/cache.ts',
      'core-imports-nothing-above-it: src-gateway/core/upstream.ts → src-gateway/routing/plan.ts',
      'gateway-imports-no-app-side: src-gateway/host/entry.ts → node_modules/electron/index.js',
      'gateway-imports-no-app-side: src-gateway/host/entry.ts → src-main/host.ts',
      'no-circular: src-gateway/api/a.ts → src-gateway/api/b.ts',
      'providers-import-only-core: src-gateway/providers/acme/index.ts → src-gateway/policies/cache.ts',
      'renderer-not-gateway: src-renderer/page.ts → src-gateway/store/rows.ts',
      'shared-imports-neither-side: src-shared/api.ts → src-renderer/page.ts',
    ])
  })
})
