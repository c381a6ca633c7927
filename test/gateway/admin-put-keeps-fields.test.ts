import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { createStore } from 'zustand/vanilla'
import { loadConfigFile } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminApi } from '../../src-renderer/src/api/admin.js'
import { policiesApi } from '../../src-renderer/src/api/policies.js'
import { queryClient } from '../../src-renderer/src/api/query-client.js'
import { keysQuery } from '../../src-renderer/src/queries/keys.js'
import { saveProvider } from '../../src-renderer/src/queries/providers.js'
import { routesQuery } from '../../src-renderer/src/queries/routes.js'
import { createKeysSlice, type KeysSlice } from '../../src-renderer/src/store/keys-slice.js'
import { createRoutesSlice, type RoutesSlice } from '../../src-renderer/src/store/routes-slice.js'

/**
 * Saving a resource in the UI must not delete what the UI does not show. Each case starts from a config
 * file holding every field of a resource, saves it through the renderer's own slices, queries and API client (as the
 * desktop window does: bearer admin token from the preload bridge), and reads the file back.
 */

const ROUTE = {
  strategy: 'fallback',
  targets: [
    { model: 'local/a', params: { temperature: 0.2 }, system: 'Be brief.', contextWindow: 8192 },
    { model: 'local/b' },
  ],
  system: { prepend: 'Team rules.', append: 'Sign off.' },
  retries: { attempts: 2, backoffMs: 100 },
  fallbackOn: [404],
  timeouts: { firstByteMs: 5000 },
  tags: ['local'],
  redaction: { mode: 'mask' },
  cache: { mode: 'off' },
  guardrails: { input: [{ type: 'max_tokens', max: 8000 }] },
  longContext: { thresholdTokens: 60000, model: 'local/b' },
  maxParallel: 4,
}
const PROVIDER = {
  type: 'ollama',
  baseUrl: 'http://127.0.0.1:9',
  // A reference: a plain header value would be moved to the secret store on the first save.
  headers: { 'x-team': '${env:TEAM_HEADER}' },
  models: ['a', 'b'],
  timeouts: { connectMs: 1000 },
  maxConnections: 8,
  tags: ['local'],
  limits: { rpm: 100 },
}
const KEY = {
  name: 'ci',
  key: '${env:CI_KEY}',
  models: ['fast'],
  limits: { rpm: 60, perUserRpm: 5 },
  redaction: { mode: 'mask' },
  cache: { mode: 'off' },
  metadata: { team: 'infra' },
  maxParallel: 2,
}
const CONFIG = {
  providers: { local: PROVIDER },
  routes: { fast: ROUTE },
  keys: [KEY],
  redaction: { mode: 'off' },
  cache: { mode: 'off', ttlSeconds: 600, maxEntries: 50 },
  logs: { maxAgeDays: 7, maxQueueRows: 1000 },
  discovery: { enabled: false },
}

describe('saving in the UI keeps the fields it does not show', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-put-keeps-'))
  const configPath = join(dir, 'config.yaml')
  let app: FastifyInstance
  let url: string
  const file = () => parseYaml(readFileSync(configPath, 'utf8'))

  beforeAll(async () => {
    writeFileSync(configPath, JSON.stringify(CONFIG, null, 2))
    app = buildGateway(loadConfigFile(configPath, { CI_KEY: 'sy-ci-0123456789', TEAM_HEADER: 'infra' }), {
      webRoot: false,
      dataDir: dir,
      configPath,
    })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    vi.stubGlobal('window', {
      desktop: { gatewayInfo: async () => ({ baseUrl: url }), adminToken: async () => app.adminToken },
    })
  })
  afterAll(async () => {
    vi.unstubAllGlobals()
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a route: changing its strategy keeps tags, system, retries, guardrails, timeouts, fallbackOn, longContext', async () => {
    const ui = createStore<RoutesSlice>()(createRoutesSlice)
    const routes = await queryClient.fetchQuery(routesQuery())
    ui.getState().editRoute(routes.find((r) => r.name === 'fast')!)
    ui.getState().setRouteStrategy('cheapest')
    expect(await ui.getState().saveRouteDraft()).toBe(true)
    expect(ui.getState().routeSaveError).toBeNull()
    expect(file().routes.fast).toEqual({ ...ROUTE, strategy: 'cheapest' })
  })

  it('a provider: saving the edit form keeps its headers, models, timeouts, connections, tags and limits', async () => {
    // What ProviderForm sends for an edit that changes nothing it shows.
    await saveProvider({ id: 'local', type: 'ollama', baseUrl: PROVIDER.baseUrl, local: null }, true)
    expect(file().providers.local).toEqual(PROVIDER)
  })

  it('a key: saving the edit form keeps its redaction, cache, per-user limit and metadata', async () => {
    const ui = createStore<KeysSlice>()(createKeysSlice)
    const keys = await queryClient.fetchQuery(keysQuery())
    ui.getState().editKey(keys.find((k) => k.name === 'ci')!)
    ui.getState().updateKeyEdit({ rpm: '30' })
    expect(await ui.getState().saveKeyEdit()).toBe(true)
    expect(ui.getState().keySaveError).toBeNull()
    expect(file().keys).toEqual([{ ...KEY, limits: { rpm: 30, perUserRpm: 5 } }])
  })

  it('a policy section: a PUT of one field keeps the others; the form clears the fields it empties', async () => {
    const put = await fetch(`${url}/admin/v1/policies/cache`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'exact' }),
    })
    expect(put.status).toBe(200)
    expect(file().cache).toEqual({ ...CONFIG.cache, mode: 'exact' })
    // The cache form with its TTL field emptied: the section as it shows it.
    await policiesApi.save('cache', { mode: 'exact', maxEntries: 50 })
    expect(file().cache).toEqual({ mode: 'exact', maxEntries: 50 })
  })

  it('settings: emptying a retention field goes back to its default and keeps the rest', async () => {
    // What the Settings page sends for an emptied "Keep logs for" field.
    const saved = await adminApi.saveSettings({ logs: { maxAgeDays: null, maxDbMb: 512, storeBodies: true } })
    expect(saved.logs.maxDbMb).toBe(512)
    expect(file().logs).toEqual({ maxDbMb: 512, storeBodies: true, maxQueueRows: 1000 })
  })
})
