import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// One pricing rule for every provider, however it was added (config file, admin API, import), applied
// at once; "local" (free, counted as local) is a per-provider setting with a default by type.

const M = 1_000_000
let mock: RunningMock
const dirs: string[] = []
const apps: FastifyInstance[] = []

interface Gateway {
  app: FastifyInstance
  url: string
  admin(path: string, init?: RequestInit): Promise<Response>
}

/** A gateway with a data dir, so calls are priced and logged as in real use. */
async function start(yaml: string): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pricing-'))
  dirs.push(dir)
  const app = buildGateway(parseConfig(yaml, 'yaml', {}), { webRoot: false, dataDir: dir })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...adminHeadersOf(app), ...init.headers },
    })
  return { app, url, admin }
}

/** Makes one chat call and answers what the request log says it cost, with its token counts. */
async function callCost(gw: Gateway, model: string) {
  const before = (await (await gw.admin('/admin/v1/logs?limit=1')).json()).total
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'price me' }] }),
  })
  expect(res.status, await res.clone().text()).toBe(200)
  for (let i = 0; i < 200; i++) {
    gw.app.requestLog.flush()
    const page = await (await gw.admin('/admin/v1/logs?limit=1')).json()
    if (page.total > before) {
      const row = page.items[0]
      return {
        cost: row.costUsd as number | null,
        input: row.inputTokens as number,
        output: row.outputTokens as number,
      }
    }
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('the call was never logged')
}

const addProvider = async (gw: Gateway, body: object) => {
  const res = await gw.admin('/admin/v1/providers', { method: 'POST', body: JSON.stringify(body) })
  expect(res.status, await res.clone().text()).toBe(201)
  return res.json()
}

beforeAll(async () => {
  mock = await startMockUpstream()
})

afterAll(async () => {
  for (const app of apps) await app.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  await mock?.stop()
})

describe('one pricing rule', () => {
  it('prices a provider added through the admin API as the same provider in the config file', async () => {
    const providers = {
      llama: { type: 'ollama', baseUrl: mock.url, models: ['gpt-4o'] },
      oa: { type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-test', models: ['gpt-4o'] },
    }
    const fromFile = await start(`providers: ${JSON.stringify(providers)}`)
    const fromApi = await start('providers: {}')
    for (const [id, p] of Object.entries(providers)) await addProvider(fromApi, { id, ...p })

    for (const model of ['llama/gpt-4o', 'oa/gpt-4o']) {
      const a = await callCost(fromFile, model)
      const b = await callCost(fromApi, model)
      expect(b.cost, model).toBe(a.cost)
    }
    // Ollama is local by type: free both ways; OpenAI is priced at its list price both ways.
    expect((await callCost(fromApi, 'llama/gpt-4o')).cost).toBe(0)
    const oa = await callCost(fromApi, 'oa/gpt-4o')
    expect(oa.cost).toBeCloseTo((oa.input * 2.5 + oa.output * 10) / M, 12)
  })

  it('applies an imported pricing: section to the next call, without a restart', async () => {
    const gw = await start(`providers: { oa: { type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-test } }`)
    const before = await callCost(gw, 'oa/gpt-4o')
    expect(before.cost).not.toBeCloseTo((before.input * 100 + before.output * 200) / M, 12)
    const text = `providers:\n  oa: { type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-test }\npricing:\n  oa/gpt-4o: { input: 100, output: 200 }\n`
    const imported = await gw.admin('/admin/v1/config/import', {
      method: 'POST',
      body: JSON.stringify({ text, apply: true }),
    })
    expect((await imported.json()).applied).toBe(true)
    const next = await callCost(gw, 'oa/gpt-4o')
    expect(next.cost).toBeCloseTo((next.input * 100 + next.output * 200) / M, 12)
    const described = await (await gw.admin('/admin/v1/pricing?model=oa/gpt-4o')).json()
    expect(described).toMatchObject({ source: 'config', inputPerMtokUsd: 100, outputPerMtokUsd: 200 })
  })

  it('does not make type openai at a loopback URL free or local, unless it says local: true', async () => {
    const gw = await start(`
providers:
  proxy: { type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-test }
  mine: { type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-test, local: true }
  studio: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
`)
    const proxy = await callCost(gw, 'proxy/gpt-4o')
    expect(proxy.cost).toBeCloseTo((proxy.input * 2.5 + proxy.output * 10) / M, 12)
    expect((await callCost(gw, 'mine/gpt-4o')).cost).toBe(0)
    // openai-compatible at a loopback URL is a local server (LM Studio) unless it says otherwise.
    expect((await callCost(gw, 'studio/gpt-4o')).cost).toBe(0)

    const local = async (id: string) => (await (await gw.admin(`/admin/v1/providers/${id}`)).json()).local
    expect(await local('proxy')).toBe(false)
    expect(await local('mine')).toBe(true)
    expect(await local('studio')).toBe(true)
    // The info endpoint, which Overview's local vs cloud share reads, says the same.
    const info = await (await gw.admin('/admin/v1/info')).json()
    expect(Object.fromEntries(info.providers.map((p: { id: string; local: boolean }) => [p.id, p.local]))).toEqual({
      proxy: false,
      mine: true,
      studio: true,
    })
  })

  it('follows a provider changed to local: false through the admin API at once', async () => {
    const gw = await start('providers: {}')
    const added = await addProvider(gw, { id: 'studio', type: 'openai-compatible', baseUrl: `${mock.url}/v1` })
    expect(added.local).toBe(true)
    expect((await callCost(gw, 'studio/gpt-4o')).cost).toBe(0)
    const res = await gw.admin('/admin/v1/providers/studio', {
      method: 'PUT',
      body: JSON.stringify({ type: 'openai-compatible', baseUrl: `${mock.url}/v1`, local: false }),
    })
    expect(res.status, await res.clone().text()).toBe(200)
    expect((await res.json()).local).toBe(false)
    const paid = await callCost(gw, 'studio/gpt-4o')
    expect(paid.cost).toBeCloseTo((paid.input * 2.5 + paid.output * 10) / M, 12)

    // A change that does not mention `local` keeps it; null goes back to the type's default.
    const put = async (body: object) => {
      const r = await gw.admin('/admin/v1/providers/studio', {
        method: 'PUT',
        body: JSON.stringify({ type: 'openai-compatible', baseUrl: `${mock.url}/v1`, ...body }),
      })
      expect(r.status, await r.clone().text()).toBe(200)
      return r.json()
    }
    expect(await put({ models: ['gpt-4o'] })).toMatchObject({ local: false, localSetting: false })
    expect(await put({ local: null })).toMatchObject({ local: true, localSetting: null })
    expect((await callCost(gw, 'studio/gpt-4o')).cost).toBe(0)
  })
})
