import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway, type GatewayDeps } from '../../src-gateway/server.js'
import { openDatabase } from '../../src-gateway/store/db.js'
import { ADMIN_ENV, fetchAsAdmin } from '../helpers/gateway.js'
import {
  type RecordedRequest,
  type RunningMock,
  startMockUpstream,
  startScriptedUpstream,
} from '../helpers/upstreams.js'

// Budget alerts at 50/80/100%, cost and traffic anomalies: stored, listed, acknowledged, counted in
// /metrics and POSTed to a local webhook receiver, each exactly once.

const KEY = 'sk-sy-alerts-0123456789abcdefSECRET'
const HOUR = 3_600_000
const MINUTE = 60_000

let mock: RunningMock
let receiver: RunningMock & { requests: RecordedRequest[] }
/** The receiver fails this many deliveries first, to show they are retried. */
let failNext = 0
const apps: FastifyInstance[] = []
const dirs: string[] = []

beforeAll(async () => {
  mock = await startMockUpstream()
  receiver = await startScriptedUpstream({
    'POST /hook': (_req, res) => {
      if (failNext > 0) {
        failNext--
        res.writeHead(503).end()
      } else res.writeHead(204).end()
    },
  })
})
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
  receiver.requests.length = 0
  failNext = 0
})
afterAll(async () => {
  await mock?.stop()
  await receiver?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-alerts-'))
  dirs.push(d)
  return d
}

// 20 completion tokens per mock answer at $50 000 per million output tokens: $1.00 a call.
const config = (alerts: string, keys = '') => `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
  mock/free: { input: 0, output: 0 }
alerts: { webhook: "\${env:SY_HOOK}", ${alerts} }
${keys}`

async function start(yaml: string, deps: GatewayDeps = {}) {
  const env = { SY_KEY: KEY, SY_HOOK: `${receiver.url}/hook`, ...ADMIN_ENV }
  const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, ...deps })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}

const client = (url: string, apiKey = KEY) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })
const ask = (c: OpenAI) =>
  c.chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] })

interface Alert {
  id: number
  kind: string
  level: string
  keyName: string | null
  message: string
  details: Record<string, unknown>
  acknowledgedAt: string | null
}

async function alertsOf(
  url: string,
  query = '',
): Promise<{ items: Alert[]; total: number; nextCursor: string | null }> {
  return (await fetchAsAdmin(`${url}/admin/v1/alerts${query}`)).json()
}

/** The bodies the webhook receiver got (failed deliveries included), once there are `n`. */
async function received(n: number, timeoutMs = 10_000): Promise<{ text: string; alert: Alert }[]> {
  const until = Date.now() + timeoutMs
  while (receiver.requests.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  return receiver.requests.map((r) => r.body as { text: string; alert: Alert })
}

/** Lets queued alerts be stored and sent (they leave after the call that raised them). */
const settle = () => new Promise((r) => setTimeout(r, 50))

describe('budget alerts', () => {
  // $1 in an idle gateway's first hour would be a cost anomaly too; these tests are about budgets only.
  const QUIET_COST = 'minHourlyUsd: 1000'
  // Over budget, calls go to a free model: they still settle against the budget (and so re-check it).
  const keys = `keys:\n  - { name: ci, key: "\${env:SY_KEY}", budget: { usd: 5, period: month, onExceed: "downgrade:mock/free" } }`

  it('fire at 50, 80 and 100% once each, reach the webhook (retried), and survive a restart without repeats', async () => {
    const dataDir = tempDir()
    const { app, url } = await start(config(QUIET_COST, keys), { dataDir })
    failNext = 1
    const c = client(url)
    const levels: number[] = []
    for (let i = 0; i < 5; i++) {
      await ask(c)
      // The log writer's price replaces the charge made when the call ended: no second alert from it.
      app.requestLog.flush()
      await settle()
      const key = (
        (await (await fetchAsAdmin(`${url}/admin/v1/keys`)).json()) as { items: { budget: { alertLevel: number } }[] }
      ).items[0]
      levels.push(key.budget.alertLevel)
    }
    expect(levels).toEqual([0, 0, 50, 80, 100])

    const page = await alertsOf(url)
    expect(page.total).toBe(3)
    expect(page.items.map((a) => [a.kind, a.level, a.keyName, a.details.thresholdPct])).toEqual([
      ['budget', 'critical', 'ci', 100],
      ['budget', 'warning', 'ci', 80],
      ['budget', 'warning', 'ci', 50],
    ])
    expect(page.items[0].message).toBe("key 'ci' has used 100% of its monthly budget ($5.00 of $5.00)")

    // The first delivery got a 503 and was sent again: four requests, three alerts.
    const bodies = await received(4)
    expect(bodies.map((b) => b.alert.details.thresholdPct).sort()).toEqual([100, 50, 50, 80])
    expect(bodies[0].text).toMatch(/^Switchyard: key 'ci' has used 50%/)
    expect(receiver.requests[0].headers['content-type']).toBe('application/json')

    const metrics = await (await fetchAsAdmin(`${url}/metrics`)).text()
    expect(metrics).toContain('switchyard_alerts_total{kind="budget"} 3')

    // Acknowledged alerts leave the open list but stay in the full one.
    const acked = await fetchAsAdmin(`${url}/admin/v1/alerts/${page.items[0].id}/ack`, { method: 'POST' })
    expect(acked.status).toBe(200)
    expect(((await acked.json()) as Alert).acknowledgedAt).toEqual(expect.any(String))
    expect((await alertsOf(url, '?status=open')).items.map((a) => a.details.thresholdPct)).toEqual([80, 50])
    expect((await alertsOf(url, '?limit=1')).nextCursor).toBe(String(page.items[0].id))
    expect((await fetchAsAdmin(`${url}/admin/v1/alerts/999/ack`, { method: 'POST' })).status).toBe(404)
    await app.close()

    // A restart reads the spend back (100%) and knows the thresholds already fired.
    const again = await start(config(QUIET_COST, keys), { dataDir })
    const downgraded = await ask(client(again.url)).withResponse()
    expect(downgraded.response.headers.get('x-switchyard-model')).toBe('free')
    await settle()
    expect((await alertsOf(again.url)).total).toBe(3)
    expect(receiver.requests).toHaveLength(4)
  }, 30_000)

  it('logs a webhook that cannot be reached instead of failing the call', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      const yaml = config(QUIET_COST, keys).replace('${env:SY_HOOK}', 'http://127.0.0.1:9/hook')
      const { url } = await start(yaml.replace('usd: 5', 'usd: 1'))
      expect((await ask(client(url))).choices[0].message.content).toBe('Echo: hi')
      const until = Date.now() + 10_000
      while (warnings.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      expect(warnings[0]).toMatch(/^alert webhook to http:\/\/127\.0\.0\.1:9 failed/)
      expect((await alertsOf(url)).total).toBe(3)
    } finally {
      process.off('warning', onWarning)
    }
  }, 20_000)
})

describe('cost anomaly', () => {
  it('fires when this hour’s spend passes N× the trailing 24 h hourly average, once per hour', async () => {
    let now = Date.UTC(2026, 0, 15, 12, 30)
    const dataDir = tempDir()
    // Yesterday and this morning: $0.50 every hour.
    const db = openDatabase(dataDir)
    const insert = db.prepare(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms, cost_usd)
       VALUES (?, ?, 'openai', 200, 1, 0.5)`,
    )
    for (let h = 1; h <= 24; h++) insert.run(new Date(now - h * HOUR).toISOString(), `seed-${h}`)
    db.close()

    const { app, url } = await start(config('costAnomalyFactor: 3, minHourlyUsd: 0.5'), {
      dataDir,
      context: { clock: () => now },
    })
    const c = client(url, 'none')
    const call = async () => {
      await ask(c)
      app.requestLog.flush()
      await settle()
    }
    // $1 this hour is not above 3 × $0.50; $2 is.
    await call()
    expect((await alertsOf(url)).total).toBe(0)
    await call()
    await call()
    let page = await alertsOf(url)
    expect(page.items.map((a) => [a.kind, a.level, a.keyName])).toEqual([['cost_anomaly', 'critical', null]])
    expect(page.items[0].details).toMatchObject({ hourStart: '2026-01-15T12:00:00.000Z', spentUsd: 2, averageUsd: 0.5 })

    // The next hour has its own count; its average now includes the $3 hour: (23 × 0.5 + 3) / 24.
    now += HOUR
    await call()
    expect((await alertsOf(url)).total).toBe(1)
    await call()
    page = await alertsOf(url)
    expect(page.items.map((a) => a.kind)).toEqual(['cost_anomaly', 'cost_anomaly'])
    expect(page.items[0].details).toMatchObject({ hourStart: '2026-01-15T13:00:00.000Z', spentUsd: 2 })
    expect((await received(2)).map((b) => b.alert.kind)).toEqual(['cost_anomaly', 'cost_anomaly'])
  }, 30_000)
})

describe('traffic anomaly', () => {
  it('flags a key whose requests in the window jump far above its norm', async () => {
    let now = Date.UTC(2026, 0, 15, 12, 0)
    const keys = `keys:\n  - { name: ci, key: "\${env:SY_KEY}" }`
    const alerts = 'trafficAnomalyFactor: 5, trafficWindowMinutes: 5, minTrafficRequests: 10'
    const { url } = await start(config(alerts, keys), { context: { clock: () => now } })
    const c = client(url)
    const flag = async () =>
      ((await (await fetchAsAdmin(`${url}/admin/v1/keys`)).json()) as { items: { trafficAnomaly: unknown }[] }).items[0]
        .trafficAnomaly

    // An hour of one request every ten minutes: a norm of half a request per 5-minute window.
    for (let i = 0; i < 6; i++) {
      await ask(c)
      now += 10 * MINUTE
    }
    // Nine at once is above 5 × the norm, but below the floor of ten requests.
    for (let i = 0; i < 9; i++) await ask(c)
    await settle()
    expect(await flag()).toBeNull()
    expect((await alertsOf(url)).total).toBe(0)

    for (let i = 0; i < 3; i++) await ask(c)
    await settle()
    expect(await flag()).toEqual({ windowRequests: 12, normPerWindow: 0.5, windowMinutes: 5 })
    const page = await alertsOf(url)
    expect(page.items.map((a) => [a.kind, a.keyName])).toEqual([['traffic_anomaly', 'ci']])
    expect(page.items[0].message).toBe("key 'ci' made 10 requests in 5 min, 20.0× its norm of 0.5 per 5 min")
    expect((await received(1))[0].alert.kind).toBe('traffic_anomaly')

    // Once the burst has left the window the flag clears.
    now += 6 * MINUTE
    expect(await flag()).toBeNull()
  }, 30_000)
})
