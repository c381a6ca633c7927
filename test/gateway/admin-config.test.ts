import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify } from 'yaml'
import { loadConfigFile, parseConfig } from '../../src-gateway/config/load.js'
import { openEncryptedFileStore } from '../../src-gateway/config/secrets.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, sendJson, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

const KEY = 'sk-live-SECRET-0123456789-wxyz'
const SECOND_KEY = 'sk-second-SECRET-9876543210-abcd'
const IMPORTED_KEY = 'sk-imported-SECRET-5555555555-qrst'
const PASSPHRASE = 'test-passphrase-for-the-secret-file'
const BASE_YAML = `
# Team config: this comment must survive edits made through the admin API.
providers:
  base: { type: ollama, baseUrl: "http://127.0.0.1:9" }   # nothing listens on port 9
discovery: { enabled: false }
`

// Admin answers are checked field by field; typing each shape here would only restate the assertions.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>

async function call(app: FastifyInstance, method: string, url: string, payload?: unknown) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    payload: payload as object,
    headers: adminHeadersOf(app),
  })
  return { status: res.statusCode, headers: res.headers, text: res.body, json: (): Json => JSON.parse(res.body) }
}

describe('admin config API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-admin-config-'))
  const texts: string[] = []
  let mock: RunningMock
  let recorder: Awaited<ReturnType<typeof startScriptedUpstream>>
  let app: FastifyInstance
  let client: OpenAI
  const admin = async (method: string, url: string, payload?: unknown) => {
    const r = await call(app, method, `/admin/v1${url}`, payload)
    texts.push(r.text, JSON.stringify(r.headers))
    return r
  }

  beforeAll(async () => {
    mock = await startMockUpstream()
    recorder = await startScriptedUpstream({
      'POST /v1/chat/completions': (_req, res) =>
        sendJson(res, 200, {
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: 'rec-model',
          choices: [{ index: 0, message: { role: 'assistant', content: 'recorded' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      'GET /v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'rec-model' }] }),
    })
    // Started from its own file, as `switchyard serve --config` would: edits are written back into it.
    const configPath = join(dir, 'config.yaml')
    writeFileSync(configPath, BASE_YAML)
    app = buildGateway(loadConfigFile(configPath, {}), {
      webRoot: false,
      dataDir: dir,
      configPath,
      secrets: openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE),
    })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 })
  })
  afterAll(async () => {
    await app?.close()
    await mock?.stop()
    await recorder?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('adds a provider over HTTP and serves it at once, showing the key only masked', async () => {
    const created = await admin('POST', '/providers', {
      id: 'mock',
      type: 'openai-compatible',
      baseUrl: `${mock.url}/v1`,
      apiKey: KEY,
    })
    expect(created.status).toBe(201)
    expect(created.json()).toMatchObject({
      id: 'mock',
      type: 'openai-compatible',
      baseUrl: `${mock.url}/v1`,
      hasApiKey: true,
      apiKeyMasked: 'sk-…wxyz',
      apiKeySource: 'secret',
      local: true,
      circuit: 'closed',
    })
    const reply = await client.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'hello live config' }],
    })
    expect(reply.choices[0].message.content).toBe('Echo: hello live config')

    const tested = await admin('POST', '/providers/mock/test', { model: 'mock-gpt' })
    expect(tested.json()).toMatchObject({ ok: true, error: null })
    expect(tested.json().models).toContain('mock-gpt')
    const list = (await admin('GET', '/providers')).json()
    expect(list).toMatchObject({ total: 2, nextCursor: null })
    expect(list.items.find((p: Json) => p.id === 'mock')).toMatchObject({ health: 'ok', modelCount: 3 })
    expect(list.items.find((p: Json) => p.id === 'base')).toMatchObject({ hasApiKey: false, apiKeyMasked: null })
  })

  it('sends the stored key upstream, and keeps it when a provider is edited without one', async () => {
    expect(
      (
        await admin('POST', '/providers', {
          id: 'rec',
          type: 'openai',
          baseUrl: `${recorder.url}/v1`,
          apiKey: SECOND_KEY,
        })
      ).status,
    ).toBe(201)
    await client.chat.completions.create({ model: 'rec/rec-model', messages: [{ role: 'user', content: 'hi' }] })
    expect(recorder.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECOND_KEY}`)

    const edited = await admin('PUT', '/providers/rec', {
      type: 'openai',
      baseUrl: `${recorder.url}/v1`,
      models: ['x'],
    })
    expect(edited.json()).toMatchObject({ hasApiKey: true, apiKeyMasked: 'sk-…abcd', configuredModels: ['x'] })
    await client.chat.completions.create({ model: 'rec/rec-model', messages: [{ role: 'user', content: 'again' }] })
    expect(recorder.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECOND_KEY}`)
  })

  it('applies an edited base URL to the running gateway', async () => {
    await admin('PUT', '/providers/mock', { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' })
    await expect(
      client.chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502 })
    // A new origin drops the stored key (it would follow the URL); moving back means giving it again.
    expect((await admin('GET', '/providers/mock')).json().hasApiKey).toBe(false)
    await admin('PUT', '/providers/mock', { type: 'openai-compatible', baseUrl: `${mock.url}/v1`, apiKey: KEY })
    const reply = await client.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'back' }],
    })
    expect(reply.choices[0].message.content).toBe('Echo: back')
    expect((await admin('GET', '/providers/mock')).json().apiKeyMasked).toBe('sk-…wxyz')
  })

  it('pauses model calls while the admin API keeps answering', async () => {
    expect((await admin('PUT', '/gateway', { paused: true })).json()).toEqual({ paused: true })
    await expect(
      client.chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 503, code: 'gateway_paused' })
    expect((await admin('GET', '/gateway')).json()).toEqual({ paused: true })
    await admin('PUT', '/gateway', { paused: false })
    const reply = await client.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'on' }],
    })
    expect(reply.choices[0].message.content).toBe('Echo: on')
  })

  it('rejects invalid providers and routes with the field at fault', async () => {
    const bad = await admin('POST', '/providers', { id: 'bad id', type: 'openai', baseUrl: 'ftp://x', colour: 1 })
    expect(bad.status).toBe(400)
    const { error } = bad.json()
    expect(error.param).toBe('id')
    expect(error.message).toMatch(/id: must match/)
    expect(error.message).toMatch(/baseUrl/)
    expect(error.message).toMatch(/colour: is not a known field/)
    // The type is checked against the provider registry once the body has the contract's shape.
    const type = await admin('POST', '/providers', { id: 'x', type: 'nope' })
    expect(type.status).toBe(400)
    expect(type.json().error).toMatchObject({ param: 'type', message: expect.stringMatching(/^type: must be one of/) })

    const both = await admin('POST', '/providers', { id: 'ok', type: 'openai', apiKey: 'sk-x', apiKeyEnv: 'X' })
    expect(both.json().error.param).toBe('apiKeyEnv')
    expect((await admin('POST', '/providers', { id: 'mock', type: 'openai' })).status).toBe(409)

    const route = await admin('PUT', '/routes/fast', { targets: [{ model: 'ghost/gpt' }] })
    expect(route.status).toBe(400)
    expect(route.json().error.param).toBe('targets.0.model')
    const empty = await admin('PUT', '/routes/fast', { targets: [] })
    expect(empty.json().error.param).toBe('targets')
    expect((await admin('PUT', '/providers/ghost', { type: 'openai' })).status).toBe(404)
  })

  it('edits routes, lists models and aliases, and guards providers in use', async () => {
    const put = await admin('PUT', '/routes/fast', { strategy: 'fallback', targets: [{ model: 'mock/mock-gpt' }] })
    expect(put.status).toBe(201)
    const reply = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'via route' }],
    })
    expect(reply.choices[0].message.content).toBe('Echo: via route')

    const routes = (await admin('GET', '/routes')).json()
    expect(routes.items).toEqual([{ name: 'fast', strategy: 'fallback', targets: [{ model: 'mock/mock-gpt' }] }])
    const models = (await admin('GET', '/models')).json()
    expect(models.items).toContainEqual({
      id: 'mock/mock-gpt',
      provider: 'mock',
      model: 'mock-gpt',
      contextWindow: null,
      route: false,
    })
    expect(models.items).toContainEqual({ id: 'fast', route: true, strategy: 'fallback', targets: ['mock/mock-gpt'] })

    const inUse = await admin('DELETE', '/providers/mock')
    expect(inUse.status).toBe(409)
    expect(inUse.json().error.message).toMatch(/fast/)
  })

  it('exports without plain keys and previews an import as a list of changes', async () => {
    const exported = await admin('GET', '/config/export?format=yaml&secrets=refs')
    expect(exported.headers['content-disposition']).toBe('attachment; filename="switchyard-config.yaml"')
    expect(exported.text).toContain('${secret:providers.mock.apiKey}')
    const omitted = await admin('GET', '/config/export?format=json&secrets=omit')
    expect(JSON.parse(omitted.text).providers.mock).not.toHaveProperty('apiKey')

    const same = await admin('POST', '/config/import', { text: exported.text })
    expect(same.json()).toEqual({ valid: true, errors: [], changes: [], applied: false })

    const edited = parseYaml(exported.text)
    delete edited.providers.rec
    edited.routes.slow = { targets: [{ model: 'base/llama3.2' }] }
    edited.providers.team = { type: 'openai', apiKey: IMPORTED_KEY }
    edited.logs = { maxAgeDays: 7 }
    const preview = await admin('POST', '/config/import', { text: stringify(edited) })
    expect(preview.json().valid).toBe(true)
    expect(preview.json().changes).toEqual(
      expect.arrayContaining([
        { kind: 'remove', section: 'providers', name: 'rec' },
        { kind: 'add', section: 'providers', name: 'team' },
        { kind: 'add', section: 'routes', name: 'slow' },
        { kind: 'add', section: 'logs', name: 'logs' },
      ]),
    )
    expect(preview.json().changes).toHaveLength(4)
    // A preview changes nothing.
    expect((await admin('GET', '/providers/rec')).status).toBe(200)

    const applied = await admin('POST', '/config/import', { text: stringify(edited), apply: true })
    expect(applied.json()).toMatchObject({ valid: true, applied: true })
    expect((await admin('GET', '/providers/rec')).status).toBe(404)
    expect((await admin('GET', '/providers/team')).json()).toMatchObject({
      apiKeySource: 'secret',
      apiKeyMasked: 'sk-…qrst',
    })
    const again = await admin('GET', '/config/export')
    expect(again.text).toContain('${secret:providers.team.apiKey}')
  })

  it('reports every invalid field of an imported file and applies none of it', async () => {
    const text = 'providers:\n  x: { type: bogus, baseUrl: "nope" }\nroutes:\n  r: { targets: [] }\n'
    const res = (await admin('POST', '/config/import', { text, apply: true })).json()
    expect(res.valid).toBe(false)
    expect(res.applied).toBe(false)
    expect(res.errors.map((e: Json) => e.path)).toEqual(
      expect.arrayContaining(['/providers/x/type', '/providers/x/baseUrl', '/routes/r/targets']),
    )
    const broken = (await admin('POST', '/config/import', { text: 'providers: [' })).json()
    expect(broken.valid).toBe(false)
    expect(broken.errors[0].message).toMatch(/not valid YAML/)
    expect((await admin('GET', '/providers/mock')).status).toBe(200)
  })

  it('reads and persists log settings', async () => {
    const res = await admin('PUT', '/settings', { logs: { storeBodies: false, maxDbMb: 50 } })
    expect(res.json()).toMatchObject({
      host: '127.0.0.1',
      dataDir: dir,
      configPath: join(dir, 'config.yaml'),
      logs: { maxAgeDays: 7, maxDbMb: 50, storeBodies: false },
      secretsPersisted: true,
      restartRequired: [],
    })
    expect(app.gateway.captureBodies).toBe(false)
    expect(parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')).logs).toEqual({
      maxAgeDays: 7,
      maxDbMb: 50,
      storeBodies: false,
    })
    expect((await admin('PUT', '/settings', { logs: { maxDbMb: -1 } })).json().error.param).toBe('logs.maxDbMb')
  })

  it('keeps keys out of the config file, the secret file, the database and every admin answer', async () => {
    await admin('DELETE', '/routes/fast')
    expect((await admin('DELETE', '/providers/mock')).status).toBe(204)
    await expect(
      client.chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'gone' }] }),
    ).rejects.toMatchObject({ status: 404 })

    const yaml = readFileSync(join(dir, 'config.yaml'), 'utf8')
    expect(yaml).toContain('# Team config: this comment must survive')
    expect(yaml).toContain('${secret:providers.team.apiKey}')
    // Keys of providers removed by the import and by DELETE left the secret store with them.
    expect(openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE).names()).toEqual(['providers.team.apiKey'])
    app.requestLog.flush()
    // Recursive: backups/ holds the config too, and must hold no key either.
    const files = (readdirSync(dir, { recursive: true }) as string[])
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile())
      .map((f) => readFileSync(f, 'latin1'))
    const everything = [...texts, ...files].join('\n')
    for (const key of [KEY, SECOND_KEY, IMPORTED_KEY]) expect(everything).not.toContain(key)
    expect(texts.length).toBeGreaterThan(30)
  })

  it('restores providers and their keys from disk on the next start', async () => {
    const next = buildGateway(loadConfigFile(join(dir, 'config.yaml'), {}), {
      webRoot: false,
      secrets: openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE),
    })
    try {
      const team = (await call(next, 'GET', '/admin/v1/providers/team')).json()
      expect(team).toMatchObject({ hasApiKey: true, apiKeyMasked: 'sk-…qrst' })
      expect(() => openEncryptedFileStore(join(dir, 'secrets.enc.json'), 'another passphrase')).toThrow(
        /cannot decrypt/,
      )
    } finally {
      await next.close()
    }
  })
})

describe('local server discovery', () => {
  const servers: RunningMock[] = []
  let app: FastifyInstance

  beforeAll(async () => {
    const ollama = await startScriptedUpstream({
      'GET /api/version': (_r, res) => sendJson(res, 200, { version: '0.9.0' }),
      'GET /api/tags': (_r, res) => sendJson(res, 200, { models: [{ name: 'llama3.2:latest' }, { name: 'qwen3:8b' }] }),
    })
    const llamacpp = await startScriptedUpstream({
      'GET /health': (_r, res) => sendJson(res, 200, { status: 'ok' }),
      'GET /props': (_r, res) =>
        sendJson(res, 200, { default_generation_settings: { n_ctx: 8192 }, build_info: 'b6000' }),
      'GET /v1/models': (_r, res) => sendJson(res, 200, { data: [{ id: 'gemma.gguf', owned_by: 'llamacpp' }] }),
    })
    const lmstudio = await startScriptedUpstream({
      'GET /api/v0/models': (_r, res) =>
        sendJson(res, 200, { data: [{ id: 'phi-4', type: 'llm', state: 'loaded', max_context_length: 16384 }] }),
      'GET /v1/models': (_r, res) => sendJson(res, 200, { data: [{ id: 'phi-4', owned_by: 'organization_owner' }] }),
    })
    const locked = await startScriptedUpstream({
      'GET /v1/models': (_r, res) => sendJson(res, 401, { error: 'Unauthorized' }),
    })
    const devServer = await startScriptedUpstream({
      'GET /version': (_r, res) => sendJson(res, 200, { version: '1.2.3' }),
    })
    servers.push(ollama, llamacpp, lmstudio, locked, devServer)
    const port = (m: RunningMock) => Number(new URL(m.url).port)
    // Ports deliberately swapped: each server must be identified by its answers, not where it listens.
    const yaml = `
providers:
  mine: { type: ollama, baseUrl: "http://localhost:${port(ollama)}" }
discovery:
  enabled: false
  ports: { ollama: ${port(llamacpp)}, llamacpp: ${port(ollama)}, lmstudio: ${port(locked)}, jan: ${port(lmstudio)}, vllm: ${port(devServer)} }
`
    app = buildGateway(parseConfig(yaml, 'yaml', {}), { webRoot: false })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await Promise.all(servers.map((s) => s.stop()))
  })

  it('identifies Ollama, llama.cpp, LM Studio and a server that wants a key', async () => {
    expect((await call(app, 'GET', '/admin/v1/providers/discovered')).json()).toMatchObject({
      items: [],
      scannedAt: null,
    })
    const res = (await call(app, 'POST', '/admin/v1/providers/discover')).json()
    const byUrl = Object.fromEntries(res.items.map((i: Json) => [i.baseUrl, i]))
    const [ollama, llamacpp, lmstudio, locked, devServer] = servers
    expect(byUrl[ollama.url]).toEqual({
      kind: 'ollama',
      baseUrl: ollama.url,
      status: 'ok',
      models: ['llama3.2:latest', 'qwen3:8b'],
      configured: true,
      suggestedId: 'ollama',
      suggestedType: 'ollama',
    })
    expect(byUrl[`${llamacpp.url}/v1`]).toMatchObject({
      kind: 'llamacpp',
      status: 'ok',
      models: ['gemma.gguf'],
      configured: false,
      suggestedType: 'llamacpp',
    })
    expect(byUrl[`${lmstudio.url}/v1`]).toMatchObject({
      kind: 'lmstudio',
      models: ['phi-4'],
      suggestedType: 'openai-compatible',
    })
    expect(byUrl[`${locked.url}/v1`]).toMatchObject({ kind: 'openai-compatible', status: 'needs-key', models: [] })
    expect(byUrl[`${devServer.url}/v1`]).toBeUndefined()
    expect(res.total).toBe(4)
    expect((await call(app, 'GET', '/admin/v1/providers/discovered')).json().items).toHaveLength(4)
  })
})

describe('admin token', () => {
  const open: FastifyInstance[] = []
  const start = async (yaml: string, env: NodeJS.ProcessEnv = {}) => {
    const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false })
    open.push(app)
    await app.listen({ host: '0.0.0.0', port: 0 })
    const { port } = app.server.address() as { port: number }
    return (path: string, token?: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  }
  afterAll(async () => {
    await Promise.all(open.map((a) => a.close()))
  })

  it('requires the token on /admin when bound beyond loopback', async () => {
    const get = await start('server: { adminToken: "${env:ADMIN_TOKEN}" }\ndiscovery: { enabled: false }\n', {
      ADMIN_TOKEN: 'admin-token-123',
    })
    expect((await get('/admin/v1/providers')).status).toBe(401)
    expect((await get('//admin/v1/providers/')).status).toBe(401)
    expect((await get('/admin/v1/settings', 'wrong-token')).status).toBe(401)
    const ok = await get('/admin/v1/settings', 'admin-token-123')
    expect(ok.status).toBe(200)
    expect(JSON.stringify(await ok.json())).not.toContain('admin-token-123')
    expect((await get('/health')).status).toBe(200)
  })

  it('guards the admin API beyond loopback with the generated token when none is configured', async () => {
    const app = buildGateway(parseConfig('discovery: { enabled: false }\n', 'yaml', {}), { webRoot: false })
    open.push(app)
    await app.listen({ host: '0.0.0.0', port: 0 })
    const { port } = app.server.address() as { port: number }
    const get = (token?: string) =>
      fetch(`http://127.0.0.1:${port}/admin/v1/providers`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      })
    const res = await get()
    expect(res.status).toBe(401)
    expect((await res.json()).error.code).toBe('invalid_admin_token')
    expect((await get(app.adminToken)).status).toBe(200)
  })

  it('rejects a plain-text admin token in config', () => {
    expect(() => parseConfig('server: { adminToken: "plain" }\n', 'yaml', {})).toThrow(/adminToken/)
  })
})
