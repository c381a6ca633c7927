import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { ADMIN_ENV, fetchAsAdmin } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Workspaces (issue 21): the config section, keys' and providers'/routes' workspaces, the call path refusing
// what a key's workspace does not share (through the real openai SDK), /v1/models per key, and the admin routes.

const RED = 'sk-sy-red-0123456789abcdefSECRET'
const BLUE = 'sk-sy-blue-9876543210zyxwvuSECRET'
const PLAIN = 'sk-sy-plain-abcdefabcdef012345'
const env = { SY_RED: RED, SY_BLUE: BLUE, SY_PLAIN: PLAIN, ...ADMIN_ENV }

let mock: RunningMock
const apps: FastifyInstance[] = []
const dirs: string[] = []

beforeAll(async () => {
  mock = await startMockUpstream()
})
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})
afterAll(async () => {
  await mock?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const config = () => `
workspaces:
  red: { name: Red team }
  blue: { name: Blue team, description: Billing }
providers:
  shared: { type: openai-compatible, baseUrl: "${mock.url}/v1", models: [mock-gpt] }
  redonly: { type: openai-compatible, baseUrl: "${mock.url}/v1", models: [mock-gpt-mini], workspaces: [red] }
routes:
  fast: { targets: [{ model: shared/mock-gpt }] }
  red-route: { targets: [{ model: shared/mock-gpt }], workspaces: [red] }
  mixed: { targets: [{ model: redonly/mock-gpt-mini }, { model: shared/mock-gpt }] }
  only-red-targets: { targets: [{ model: redonly/mock-gpt-mini }] }
keys:
  - { name: red, key: "\${env:SY_RED}", workspace: red }
  - { name: blue, key: "\${env:SY_BLUE}", workspace: blue }
  - { name: plain, key: "\${env:SY_PLAIN}" }
discovery: { enabled: false }
`

/** With a data folder: the audit trail lives in its database. */
async function start(yaml = config()) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-workspaces-'))
  dirs.push(dataDir)
  const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, dataDir })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return url
}

const client = (url: string, apiKey: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })
const ask = (c: OpenAI, model: string) =>
  c.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })

async function failure(p: Promise<unknown>): Promise<{ status: number; error: unknown }> {
  try {
    await p
  } catch (err) {
    const e = err as { status: number; error: unknown }
    return { status: e.status, error: e.error }
  }
  throw new Error('expected the call to fail')
}

describe('config', () => {
  it('accepts workspaces on keys, providers and routes, and refuses one that does not exist', () => {
    expect(() => parseConfig(config(), 'yaml', env)).not.toThrow()
    expect(() => parseConfig('keys: [{ name: a, key: x, workspace: nowhere }]\n', 'yaml', {})).toThrow(
      /\/keys\/0\/workspace: no workspace 'nowhere' is configured \(workspaces: default\)/,
    )
    expect(() =>
      parseConfig('providers: { p: { type: openai, apiKey: x, workspaces: [ghost] } }\n', 'yaml', {}),
    ).toThrow(/\/providers\/p\/workspaces\/0: no workspace 'ghost'/)
    // `default` exists without being listed.
    expect(() => parseConfig('keys: [{ name: a, key: x, workspace: default }]\n', 'yaml', {})).not.toThrow()
    expect(() => parseConfig('workspaces: { Bad: { name: x } }\n', 'yaml', {})).toThrow(/workspaces/)
  })
})

describe('the call path', () => {
  it('refuses a provider or route another workspace owns, with the 403 of a model the key may not use', async () => {
    const url = await start()
    const red = client(url, RED)
    const blue = client(url, BLUE)
    expect((await ask(red, 'redonly/mock-gpt-mini')).choices[0].message.content).toBe('Echo: hi')
    expect((await ask(red, 'red-route')).choices[0].message.content).toBe('Echo: hi')
    for (const model of ['redonly/mock-gpt-mini', 'red-route']) {
      const denied = await failure(ask(blue, model))
      expect(denied.status).toBe(403)
      expect(denied.error).toMatchObject({ code: 'model_not_allowed', type: 'permission_error' })
    }
    // The key of `default` (no workspace set) is refused as well: a workspace-only provider is nobody else's.
    expect((await failure(ask(client(url, PLAIN), 'redonly/mock-gpt-mini'))).status).toBe(403)
    // Shared things stay open to everyone.
    expect((await ask(blue, 'fast')).choices[0].message.content).toBe('Echo: hi')
    expect((await ask(blue, 'shared/mock-gpt')).choices[0].message.content).toBe('Echo: hi')
  })

  it('keeps a shared route off targets on a provider the workspace may not use', async () => {
    const url = await start()
    const blue = client(url, BLUE)
    const answer = await blue.chat.completions
      .create({ model: 'mixed', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(answer.response.headers.get('x-switchyard-provider')).toBe('shared')
    const own = await client(url, RED)
      .chat.completions.create({ model: 'mixed', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(own.response.headers.get('x-switchyard-provider')).toBe('redonly')
    // A shared route with nothing the workspace may reach is refused like a model the key may not use.
    const none = await failure(ask(blue, 'only-red-targets'))
    expect(none.status).toBe(403)
    expect(none.error).toMatchObject({ code: 'model_not_allowed' })
  })

  it('lists in /v1/models only what the key may call', async () => {
    const url = await start()
    const ids = async (key: string) => (await client(url, key).models.list()).data.map((m) => m.id)
    const red = await ids(RED)
    const blue = await ids(BLUE)
    expect(red).toEqual(expect.arrayContaining(['fast', 'red-route', 'redonly/mock-gpt-mini', 'shared/mock-gpt']))
    expect(blue).toEqual(expect.arrayContaining(['fast', 'shared/mock-gpt']))
    expect(blue).not.toContain('red-route')
    expect(blue.filter((id) => id.startsWith('redonly/'))).toEqual([])
    // One model by id answers 404 for a key that may not see it.
    const one = await fetch(`${url}/v1/models/redonly/mock-gpt-mini`, { headers: { authorization: `Bearer ${BLUE}` } })
    expect(one.status).toBe(404)
    // The admin (the UI) sees everything.
    const all = (await (await fetchAsAdmin(`${url}/v1/models`)).json()) as { data: { id: string }[] }
    expect(all.data.map((m) => m.id)).toContain('red-route')
  })
})

describe('admin routes', () => {
  it('lists workspaces with their key counts, creates, renames and removes one', async () => {
    const url = await start()
    const list = async () =>
      ((await (await fetchAsAdmin(`${url}/admin/v1/workspaces`)).json()) as { items: unknown[] }).items
    expect(await list()).toEqual([
      { id: 'default', name: 'Default', keyCount: 1, configured: false },
      { id: 'blue', name: 'Blue team', description: 'Billing', keyCount: 1, configured: true },
      { id: 'red', name: 'Red team', keyCount: 1, configured: true },
    ])
    const put = (id: string, body: object) =>
      fetchAsAdmin(`${url}/admin/v1/workspaces/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await put('green', { name: 'Green' })).status).toBe(201)
    const renamed = await put('green', { name: 'Green team', description: 'Ops' })
    expect(renamed.status).toBe(200)
    expect(await renamed.json()).toEqual({
      id: 'green',
      name: 'Green team',
      description: 'Ops',
      keyCount: 0,
      configured: true,
    })
    expect((await put('Not-An-Id', { name: 'x' })).status).toBe(400)
    expect((await put('x', { name: '' })).status).toBe(400)

    // A key can be moved into it through the keys API, which checks the workspace exists.
    const newKey = (workspace: string) =>
      fetchAsAdmin(`${url}/admin/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `k-${workspace}`, workspace }),
      })
    expect((await newKey('green')).status).toBe(201)
    const missing = await newKey('nowhere')
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
      /workspace: no workspace 'nowhere'/,
    )

    const del = (id: string) => fetchAsAdmin(`${url}/admin/v1/workspaces/${id}`, { method: 'DELETE' })
    const inUse = await del('green')
    expect(inUse.status).toBe(409)
    expect(await inUse.json()).toMatchObject({ error: { code: 'workspace_in_use' } })
    // A provider or route listing it holds it too.
    expect((await del('red')).status).toBe(409)
    expect((await del('default')).status).toBe(409)
    expect((await del('nope')).status).toBe(404)
    await fetchAsAdmin(`${url}/admin/v1/keys/k-green`, { method: 'DELETE' })
    expect((await del('green')).status).toBe(204)
    expect((await list()).map((w) => (w as { id: string }).id)).toEqual(['default', 'blue', 'red'])

    // Every change is in the audit trail as a config write.
    const audit = (await (await fetchAsAdmin(`${url}/admin/v1/audit`)).json()) as { items: { action: string }[] }
    expect(audit.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['workspace.create', 'workspace.update', 'workspace.delete']),
    )
  })

  it('carries workspaces through config export and the config diff', async () => {
    const url = await start()
    const exported = await (await fetchAsAdmin(`${url}/admin/v1/config/export`)).text()
    expect(exported).toMatch(/workspaces:/)
    expect(exported).toMatch(/workspace: red/)
  })
})
