import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminFetch, startGateway, type TestGateway } from '../helpers/gateway.js'

// The file export gives is what import takes, as bytes (curl --data-binary), YAML or JSON, prompts included on request.

const CONFIG = `
providers:
  local: { type: ollama, baseUrl: "http://127.0.0.1:1" }
routes:
  fast: { targets: [{ model: local/llama3.2 }] }
`

const GREET = {
  model: 'fast',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello to {{name}}' },
  ],
  params: { temperature: 0.2 },
}

const gateways: TestGateway[] = []
async function gateway(yaml = CONFIG): Promise<TestGateway> {
  const gw = await startGateway(yaml)
  gateways.push(gw)
  return gw
}
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})

const importBytes = (gw: TestGateway, body: string, contentType: string, query = '') =>
  gw.admin(`/admin/v1/config/import${query}`, { method: 'POST', headers: { 'content-type': contentType }, body })

describe('config import takes the exported bytes', () => {
  it('previews raw YAML, applies it with ?apply=true, and keeps the {text, apply} body', async () => {
    const gw = await gateway()
    const exported = await (await gw.admin('/admin/v1/config/export')).text()

    const same = await importBytes(gw, exported, 'application/yaml')
    expect(same.status).toBe(200)
    expect(await same.json()).toEqual({ valid: true, errors: [], changes: [], applied: false })

    const edited = `${exported}  slow:\n    targets:\n      - model: local/qwen3\n`
    for (const type of ['text/yaml', 'application/x-yaml', 'text/plain', 'application/yaml; charset=utf-8']) {
      const preview = await (await importBytes(gw, edited, type)).json()
      expect(preview, type).toMatchObject({ valid: true, applied: false })
      expect(preview.changes, type).toEqual([{ kind: 'add', section: 'routes', name: 'slow' }])
    }
    expect(parseYaml(await (await gw.admin('/admin/v1/config/export')).text()).routes.slow).toBeUndefined()

    const applied = await (await importBytes(gw, edited, 'application/yaml', '?apply=true')).json()
    expect(applied).toMatchObject({ valid: true, applied: true })
    expect(parseYaml(await (await gw.admin('/admin/v1/config/export')).text()).routes.slow).toBeDefined()

    // The JSON body of old clients: told apart from a JSON config by its `text` field.
    const wrapped = await gw.admin('/admin/v1/config/import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: exported }),
    })
    expect((await wrapped.json()).changes).toEqual([{ kind: 'remove', section: 'routes', name: 'slow' }])
  })

  it('takes a JSON export as it is', async () => {
    const gw = await gateway()
    const json = JSON.parse(await (await gw.admin('/admin/v1/config/export?format=json')).text())
    json.routes.slow = { targets: [{ model: 'local/qwen3' }] }
    const res = await importBytes(gw, JSON.stringify(json), 'application/json', '?apply=true')
    expect(await res.json()).toMatchObject({
      valid: true,
      applied: true,
      changes: [{ kind: 'add', section: 'routes', name: 'slow' }],
    })
  })

  it('answers 415 for a body it cannot read and 400 for a bad query, in the admin error format', async () => {
    const gw = await gateway()
    const form = await importBytes(gw, 'a=b', 'application/x-www-form-urlencoded')
    expect(form.status).toBe(415)
    expect((await form.json()).error.message).toMatch(/application\/yaml.*application\/json/)
    const badApply = await importBytes(gw, 'providers: {}', 'application/yaml', '?apply=maybe')
    expect(badApply.status).toBe(400)
    expect((await badApply.json()).error.message).toMatch(/apply/)
    const empty = await importBytes(gw, '\n', 'application/yaml', '?apply=true')
    expect(empty.status).toBe(400)
    expect((await empty.json()).error.message).toMatch(/empty/)
    expect((await gw.admin('/admin/v1/providers/local')).status).toBe(200)
    const broken = await (await importBytes(gw, 'providers: [', 'application/yaml')).json()
    expect(broken).toMatchObject({ valid: false, applied: false })
    expect(broken.errors[0].message).toMatch(/not valid YAML/)
  })
})

describe('prompts travel with the config on request', () => {
  it('exports the current version of each prompt and imports it as a new version only when it changed', async () => {
    const a = await gateway()
    const save = (gw: TestGateway, name: string, body: unknown) =>
      gw.admin(`/admin/v1/prompts/${name}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await save(a, 'greet', { messages: [{ role: 'user', content: 'old' }] })).status).toBe(201)
    expect((await save(a, 'greet', GREET)).status).toBe(201)

    const plain = parseYaml(await (await a.admin('/admin/v1/config/export')).text())
    expect(plain.prompts).toBeUndefined()
    const exported = await (await a.admin('/admin/v1/config/export?include=prompts')).text()
    expect(parseYaml(exported).prompts).toEqual({ greet: GREET })

    const b = await gateway()
    expect((await save(b, 'greet', { messages: [{ role: 'user', content: 'theirs' }] })).status).toBe(201)
    const preview = await (await importBytes(b, exported, 'application/yaml')).json()
    expect(preview).toMatchObject({ valid: true, applied: false, prompts: { created: [], updated: ['greet'] } })
    expect((await (await b.admin('/admin/v1/prompts/greet')).json()).latestVersion).toBe(1)

    const applied = await (await importBytes(b, exported, 'application/yaml', '?apply=true')).json()
    expect(applied).toMatchObject({ applied: true, prompts: { created: [], updated: ['greet'], unchanged: [] } })
    const after = await (await b.admin('/admin/v1/prompts/greet/versions/2')).json()
    expect(after.content).toEqual(GREET)

    const again = await (await importBytes(b, exported, 'application/yaml', '?apply=true')).json()
    expect(again.prompts).toEqual({ created: [], updated: [], unchanged: ['greet'] })
    expect((await (await b.admin('/admin/v1/prompts/greet')).json()).latestVersion).toBe(2)
  })

  it('reports an invalid prompts section as an error and applies nothing', async () => {
    const gw = await gateway()
    const res = await (
      await importBytes(gw, `${CONFIG}prompts:\n  greet: { messages: [] }\n`, 'application/yaml', '?apply=true')
    ).json()
    expect(res).toMatchObject({ valid: false, applied: false })
    expect(res.errors[0].path).toMatch(/^\/prompts\/greet/)
    expect((await gw.admin('/admin/v1/prompts/greet')).status).toBe(404)
  })
})

describe('an import that brings prompts', () => {
  it('is in the audit trail with the prompt versions it added', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-transfer-'))
    const app = buildGateway(parseConfig(CONFIG, 'yaml', {}), { webRoot: false, dataDir })
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      const call = (path: string, init?: RequestInit) => adminFetch(app, `${url}/admin/v1${path}`, init)
      const file = `${CONFIG}prompts:\n  greet:\n    messages: [{ role: user, content: hi }]\n`
      const res = await call('/config/import?apply=true', {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: file,
      })
      expect((await res.json()).prompts).toEqual({ created: ['greet'], updated: [], unchanged: [] })
      const [entry] = (await (await call('/audit?action=config.import')).json()).items
      expect(entry.diff.map((c: { path: string }) => c.path).join(' ')).toMatch(/promptLibrary\.greet/)
    } finally {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
