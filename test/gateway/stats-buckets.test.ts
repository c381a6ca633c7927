import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'

const T0 = Date.parse('2025-03-01T10:00:00Z')
const MINUTE = 60_000

/** One call every 2 minutes from 10:00 to 10:58, so each 5-minute bucket holds 2 or 3. */
function events(): LogEvent[] {
  return Array.from({ length: 30 }, (_, i) => ({
    requestId: `req_${i}`,
    startedAt: T0 + i * 2 * MINUTE,
    inboundApi: 'openai',
    requestedModel: 'local/llama3.2',
    provider: 'local',
    model: 'llama3.2',
    status: 200,
    latencyMs: 100,
    stream: false,
    attempts: 1,
  }))
}

describe('stats buckets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-stats-'))
  let app: FastifyInstance

  beforeAll(async () => {
    const config = parseConfig(
      'providers:\n  local: { type: ollama, models: [llama3.2] }\nlogs: { maxAgeDays: 36500 }\n',
      'yaml',
    )
    app = buildGateway(config, { webRoot: false, dataDir: dir })
    await app.ready()
    for (const e of events()) app.gateway.sink.push(e)
    app.requestLog.flush()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('cuts an hour into twelve 5-minute buckets that add up to the total', async () => {
    const from = new Date(T0).toISOString()
    const to = new Date(T0 + 60 * MINUTE).toISOString()
    const res = await app.inject({
      method: 'GET',
      url: `/admin/v1/stats?from=${from}&to=${to}&bucket=5m`,
      headers: adminHeadersOf(app),
    })
    expect(res.statusCode).toBe(200)
    const s = res.json() as {
      bucket: string
      totals: { requests: number }
      series: { bucket: string; requests: number }[]
    }
    expect(s.bucket).toBe('5m')
    expect(s.series.map((p) => p.bucket)).toEqual(
      Array.from({ length: 12 }, (_, i) => new Date(T0 + i * 5 * MINUTE).toISOString()),
    )
    // Calls at :00 :02 :04 fall in the first bucket, :06 :08 in the second.
    expect(s.series.slice(0, 2).map((p) => p.requests)).toEqual([3, 2])
    expect(s.series.reduce((sum, p) => sum + p.requests, 0)).toBe(s.totals.requests)
    expect(s.totals.requests).toBe(30)
  })

  it('defaults a 5-minute query to the last hour', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/admin/v1/stats?bucket=5m',
      headers: adminHeadersOf(app),
    })
    expect(res.statusCode).toBe(200)
    const s = res.json() as { from: string; to: string }
    expect(Date.parse(s.to) - Date.parse(s.from)).toBe(60 * MINUTE)
  })
})
