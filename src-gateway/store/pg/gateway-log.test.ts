import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { LogDetail, LogPage } from '../../../src-shared/contract/logs.js'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { CHAT_COMPLETION, type RunningMock, sendJson, startScriptedUpstream } from '../../../test/helpers/upstreams.js'
import { parseConfig } from '../../config/load.js'
import { buildGateway } from '../../server.js'
import type { StatsResult } from '../log-stats.js'

// `database` end to end: two gateways, each with its own data folder, log to one Postgres; either one's Logs page,
// detail and stats show the calls both answered, and their own SQLite holds none of them.

let server: PostgresServer
let upstream: RunningMock
const dirs: string[] = []
const apps: FastifyInstance[] = []

beforeAll(async () => {
  server = await startPostgres()
  upstream = await startScriptedUpstream({
    '/v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_COMPLETION),
  })
}, 60_000)
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  await upstream?.stop()
  await server?.stop()
})

const KEY = 'sk-sy-pglog-budget-0123456789abcdef'

async function start(): Promise<{ app: FastifyInstance; url: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-pglog-'))
  dirs.push(dataDir)
  const yaml = `discovery: { enabled: false }
database: ${server.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [m] }
pricing:
  mock/m: { input: 0, output: 100000 }
keys:
  - { name: capped, key: "\${env:SY_CAPPED}", budget: { usd: 100, period: month } }
`
  const app = buildGateway(
    parseConfig(yaml, 'yaml', { SY_CAPPED: KEY, SWITCHYARD_SECRET_KEY: 'gateway-log-test-key' }),
    { webRoot: false, dataDir },
  )
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}

const admin = (g: { app: FastifyInstance; url: string }, path: string) =>
  fetch(`${g.url}${path}`, { headers: { authorization: `Bearer ${g.app.adminToken}` } })

async function chat(url: string, text: string, key?: string): Promise<void> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: 'mock/m', messages: [{ role: 'user', content: text }] }),
  })
  expect(res.status).toBe(200)
}

it('two instances write one log that either one lists, opens, searches and charts', async () => {
  const a = await start()
  const b = await start()
  await chat(a.url, 'written through alpha', KEY)
  await chat(b.url, 'written through bravo', KEY)
  await chat(b.url, 'another through bravo', KEY)
  // Rows are written by each instance's writer within its flush window.
  for (const g of [a, b]) g.app.requestLog.flush()
  let page: LogPage | undefined
  for (let i = 0; i < 50; i++) {
    page = (await (await admin(a, '/admin/v1/logs?limit=10')).json()) as LogPage
    if (page.total === 3) break
    await new Promise((r) => setTimeout(r, 100))
  }
  expect(page?.total).toBe(3)
  const fromB = (await (await admin(b, '/admin/v1/logs?limit=10')).json()) as LogPage
  expect(fromB.items.map((i) => i.id)).toEqual(page!.items.map((i) => i.id))

  const found = (await (await admin(b, '/admin/v1/logs?limit=10&q=alpha')).json()) as LogPage
  expect(found.items).toHaveLength(1)
  const detail = (await (await admin(b, `/admin/v1/logs/${found.items[0].id}`)).json()) as LogDetail
  expect(JSON.stringify(detail.requestBody)).toContain('written through alpha')

  const from = new Date(Date.now() - 3_600_000).toISOString()
  const stats = (await (await admin(a, `/admin/v1/stats?bucket=hour&from=${from}`)).json()) as StatsResult
  expect(stats.totals.requests).toBe(3)

  // Each instance's own SQLite has none of them: the log is the shared one.
  for (const g of [a, b]) {
    const n = g.app.db!.prepare('SELECT count(*) AS n FROM request_logs').get() as { n: number }
    expect(n.n).toBe(0)
  }

  // A third instance, started now with an empty data folder, starts the key's budget from the shared log's spend.
  const spent = stats.totals.costUsd
  expect(spent).toBeGreaterThan(0)
  const c = await start()
  const keys = (await (await admin(c, '/admin/v1/keys')).json()) as {
    items: { name: string; budget?: { spentUsd?: number } }[]
  }
  expect(keys.items.find((k) => k.name === 'capped')?.budget?.spentUsd).toBeCloseTo(spent, 9)
}, 60_000)
