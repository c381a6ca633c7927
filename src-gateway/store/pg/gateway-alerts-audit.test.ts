import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_ENV, TEST_ADMIN_TOKEN } from '../../../test/helpers/gateway.js'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import {
  type RecordedRequest,
  type RunningMock,
  startMockUpstream,
  startScriptedUpstream,
} from '../../../test/helpers/upstreams.js'
import { parseConfig } from '../../config/load.js'
import { buildGateway } from '../../server.js'
import { openDatabase } from '../db.js'
import { openPgPool } from './pool.js'

// `database` end to end for alerts and the audit trail: two gateways, each with its own data folder, on one Postgres.
// A budget both instances cross raises its thresholds on each, and each threshold is stored and sent to the webhook
// once; B lists and acknowledges what A raised; admin changes made through either are one audit list; their own
// SQLite holds none of it, and no credential reaches the shared tables.

const KEY = 'sk-sy-pg-alerts-0123456789abcdefSECRET'
const PLANTED = 'sk-planted-provider-key-9f8e7d6c5b4a'
const SECRET = 'a-shared-secret-key-for-the-instances-0123'

let server: PostgresServer
let mock: RunningMock
let receiver: RunningMock & { requests: RecordedRequest[] }
const dirs: string[] = []
const apps: FastifyInstance[] = []

beforeAll(async () => {
  ;[server, mock, receiver] = await Promise.all([
    startPostgres(),
    startMockUpstream(),
    startScriptedUpstream({
      'POST /hook': (_req, res) => {
        res.writeHead(204).end()
      },
    }),
  ])
}, 60_000)
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  await receiver?.stop()
  await mock?.stop()
  await server?.stop()
})

// 20 completion tokens per mock answer at $50 000 per million output tokens: $1.00 a call, the whole $1 budget.
const yaml = () => `discovery: { enabled: false }
database: ${server.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
alerts: { webhook: "${receiver.url}/hook", minHourlyUsd: 1000 }
keys:
  - { name: ci, key: "\${env:SY_KEY}", budget: { usd: 1, period: month } }
`

interface Gateway {
  app: FastifyInstance
  url: string
  dataDir: string
  // biome-ignore lint/suspicious/noExplicitAny: the test reads loosely typed API answers
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }>
}

async function start(): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-pgalerts-'))
  dirs.push(dataDir)
  const env = { SY_KEY: KEY, SWITCHYARD_SECRET_KEY: SECRET, ...ADMIN_ENV }
  const app = buildGateway(parseConfig(yaml(), 'yaml', env), { webRoot: false, dataDir })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    app,
    url,
    dataDir,
    async admin(method, path, body) {
      const res = await fetch(`${url}/admin/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, text, json: text ? JSON.parse(text) : undefined }
    },
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

it('two gateways on one Postgres store each alert once, list and acknowledge the same ones, and keep one audit trail', async () => {
  const [a, b] = await Promise.all([start(), start()])
  const ask = (g: Gateway) =>
    new OpenAI({ baseURL: `${g.url}/v1`, apiKey: KEY, maxRetries: 0 }).chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'hi' }],
    })

  // Each instance's own ledger (no Redis here) sees its call reach 100%: both raise 50, 80 and 100% with the same
  // dedupe keys, and the shared table keeps one of each.
  const alertLevel = async (g: Gateway) => (await g.admin('GET', '/keys')).json.items[0].budget.alertLevel
  await ask(a)
  await a.app.requestLog.flush()
  await until('A raised its thresholds', async () => (await a.admin('GET', '/alerts')).json.total === 3)
  await ask(b)
  await b.app.requestLog.flush()
  await until('B priced its call', async () => (await alertLevel(b)) === 100)
  await until("A's three webhook POSTs", async () => receiver.requests.length >= 3)
  // B's raise is stored (or refused as a repeat) after its turn: give it a moment, then nothing more may appear.
  await new Promise((r) => setTimeout(r, 500))
  for (const g of [a, b]) {
    const page = (await g.admin('GET', '/alerts')).json
    expect(page.total).toBe(3)
    expect(page.items.map((x: { details: { thresholdPct: number } }) => x.details.thresholdPct)).toEqual([100, 80, 50])
  }
  expect(receiver.requests).toHaveLength(3)

  // Acknowledged on B, acknowledged on A.
  const newest = (await b.admin('GET', '/alerts')).json.items[0]
  const acked = await b.admin('POST', `/alerts/${newest.id}/ack`)
  expect(acked.status).toBe(200)
  const openOnA = (await a.admin('GET', '/alerts?status=open')).json
  expect(openOnA.total).toBe(2)
  expect(openOnA.items.map((x: { id: number }) => x.id)).not.toContain(newest.id)

  // Admin changes through either instance: one list, newest first, on both.
  expect((await a.admin('PUT', '/routes/fast', { targets: [{ model: 'mock/mock-gpt' }] })).status).toBe(201)
  expect((await b.admin('PUT', '/routes/slow', { targets: [{ model: 'mock/mock-gpt' }] })).status).toBe(201)
  const planted = await a.admin('POST', '/providers', {
    id: 'planted',
    type: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKey: PLANTED,
  })
  expect(planted.status).toBe(201)
  const key = await b.admin('POST', '/keys', { name: 'made-on-b' })
  expect(key.status).toBe(201)
  const issued: string = key.json.key
  expect(issued.length).toBeGreaterThan(20)
  for (const g of [a, b]) {
    const res = await g.admin('GET', '/audit')
    const trail = res.json
    expect(trail.items.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual([
      'key.create made-on-b',
      'provider.create planted',
      'route.create slow',
      'route.create fast',
    ])
    const times = trail.items.map((e: { createdAt: string }) => e.createdAt)
    expect([...times].sort().reverse()).toEqual(times)
    expect(res.text).not.toContain(PLANTED)
    expect(res.text).not.toContain(issued)
  }

  // Neither instance's SQLite holds any of it; the shared tables hold no credential.
  for (const g of [a, b]) {
    const db = openDatabase(g.dataDir)
    try {
      for (const t of ['alerts', 'audit_log'])
        expect((db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n).toBe(0)
    } finally {
      db.close()
    }
  }
  const pool = await openPgPool(server.url)
  try {
    const dump = JSON.stringify([await pool.query('SELECT * FROM alerts'), await pool.query('SELECT * FROM audit_log')])
    expect(dump).toContain('made-on-b')
    for (const secret of [PLANTED, issued, KEY, SECRET]) expect(dump).not.toContain(secret)
  } finally {
    await pool.close()
  }
}, 60_000)

it('keeps the entry of a change made while Postgres is down and stores it once, in order, when it is back', async () => {
  const g = await start()
  const pause = async (paused: boolean) => (await g.admin('PUT', '/gateway', { paused })).status
  const before = (await g.admin('GET', '/audit')).json.total as number
  await server.pause()
  try {
    await until('the gateway sees Postgres down', async () => (await g.admin('GET', '/audit')).status === 503)
    // The emergency switch works in an outage; its entry cannot be written yet.
    expect(await pause(true)).toBe(200)
    const during = await g.admin('GET', '/audit')
    expect([during.status, during.json.error.code]).toEqual([503, 'storage_unavailable'])
  } finally {
    await server.resume()
  }
  await until('the audit trail answers again', async () => (await g.admin('GET', '/audit')).status === 200, 20_000)
  expect(await pause(false)).toBe(200)
  const trail = (await g.admin('GET', '/audit?action=gateway')).json
  expect(trail.items.map((e: { action: string }) => e.action)).toEqual(['gateway.resume', 'gateway.pause'])
  expect(trail.items[1].diff).toEqual([{ path: 'gateway.paused', before: false, after: true }])
  expect((await g.admin('GET', '/audit')).json.total).toBe(before + 2)
  // Stored once, though every later write and read drained the queue again.
  const pool = await openPgPool(server.url)
  try {
    const rows = await pool.query("SELECT action FROM audit_log WHERE action LIKE 'gateway.%' ORDER BY id")
    expect(rows.map((r) => r.action)).toEqual(['gateway.pause', 'gateway.resume'])
  } finally {
    await pool.close()
  }
}, 60_000)
