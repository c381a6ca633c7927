import { beforeAll, expect, it } from 'vitest'
import { forEachBackend } from '../../test/helpers/backends.js'
import { parseConfig } from '../config/load.js'
import type { LogEvent } from '../core/log-event.js'
import { createPriceBook } from '../pricing/price-book.js'
import { Alerts } from './alerts.js'

// The anomaly detectors' baselines come from the request log through the LogStore, so with `database` they are the
// shared log's (every instance's calls): the same rows answer the same history on SQLite and Postgres, and an Alerts
// started on it judges this hour's spend against them.

const HOUR = 3_600_000
const MINUTE = 60_000
const priceBook = createPriceBook(parseConfig('providers: { openai: { type: openai, apiKey: sk-x } }', 'yaml').resolved)
const NOW = Date.UTC(2026, 0, 15, 12, 30)

const call = (n: number, startedAt: number, keyName: string, tokens = 100_000): LogEvent => ({
  requestId: `req-${n}`,
  startedAt,
  inboundApi: 'openai',
  requestedModel: 'gpt-4o',
  provider: 'openai',
  model: 'gpt-4o',
  status: 200,
  latencyMs: 5,
  stream: false,
  attempts: 1,
  inputTokens: tokens,
  outputTokens: tokens / 10,
  keyName,
})

// Two calls in each of the 6 hours before NOW's hour; 3 small calls by `ci` and one by `web` in the last minutes.
const EVENTS: LogEvent[] = [
  ...Array.from({ length: 12 }, (_, n) => call(n, NOW - (Math.floor(n / 2) + 1) * HOUR, 'batch')),
  call(100, NOW - 3 * MINUTE, 'ci', 10),
  call(101, NOW - 3 * MINUTE + 10, 'ci', 10),
  call(102, NOW - 2 * MINUTE, 'ci', 10),
  call(103, NOW - 2 * MINUTE, 'web', 10),
]

forEachBackend('anomaly history', (backend) => {
  beforeAll(async () => {
    await backend.add(EVENTS, { priceBook })
  })

  it('reads spend per hour and calls per key per minute from the log', async () => {
    const h = await backend.store.anomalyHistory(NOW - 25 * HOUR, NOW - 10 * MINUTE)
    const thisHour = Math.floor(NOW / HOUR)
    const hours = [...h.hourlySpend].sort((a, b) => a.hour - b.hour)
    expect(hours.map((r) => r.hour)).toEqual([6, 5, 4, 3, 2, 1, 0].map((k) => thisHour - k))
    // Each earlier hour: two calls of one price; this hour: the four small calls so far.
    const twoCalls = hours[0].usd
    expect(twoCalls).toBeGreaterThan(0)
    for (const r of hours.slice(0, 6)) expect(r.usd).toBeCloseTo(twoCalls, 9)
    expect(hours[6].usd).toBeGreaterThan(0)
    expect(hours[6].usd).toBeLessThan(twoCalls / 1000)
    const minute = (t: number) => Math.floor(t / MINUTE)
    expect(h.keyMinutes.sort((a, b) => a.key.localeCompare(b.key) || a.minute - b.minute)).toEqual([
      { key: 'ci', minute: minute(NOW - 3 * MINUTE), n: 2 },
      { key: 'ci', minute: minute(NOW - 2 * MINUTE), n: 1 },
      { key: 'web', minute: minute(NOW - 2 * MINUTE), n: 1 },
    ])
    expect(await backend.store.anomalyHistory(NOW + HOUR, NOW + HOUR)).toEqual({ hourlySpend: [], keyMinutes: [] })
  })

  it('judges this hour against the logged hours once started on the log', async () => {
    const h = await backend.store.anomalyHistory(NOW - 25 * HOUR, NOW)
    const trailing = h.hourlySpend.filter((r) => r.hour < Math.floor(NOW / HOUR)).reduce((s, r) => s + r.usd, 0)
    const config = { alerts: { costAnomalyFactor: 3, minHourlyUsd: 0 } }
    const started = new Alerts(config, { clock: () => NOW })
    await started.start(backend.store)
    const fresh = new Alerts(config, { clock: () => NOW })
    await fresh.start(undefined)
    // Twice the trailing hourly average: an anomaly only to a gateway that forgot the logged hours.
    const spend = (2 * trailing) / 24
    for (const a of [started, fresh]) {
      a.spendPriced(spend)
      await a.idle()
    }
    expect((await started.list({ limit: 5 })).items).toEqual([])
    expect((await fresh.list({ limit: 5 })).items.map((a) => a.kind)).toEqual(['cost_anomaly'])
    await started.close()
    await fresh.close()
  })
  // Last: it adds rows the other tests would count.
  it('reads every instance’s spend this hour again from the log', async () => {
    const alerts = new Alerts({ alerts: { costAnomalyFactor: 3, minHourlyUsd: 0 } }, { clock: () => NOW })
    await alerts.start(backend.store)
    alerts.spendPriced(0.000001)
    await alerts.idle()
    expect((await alerts.list({ limit: 5 })).total).toBe(0)
    // Another instance's four large calls this hour: 4 calls against a trailing average of half a call per hour.
    await backend.add(
      [200, 201, 202, 203].map((n) => call(n, NOW - 5 * MINUTE, 'other')),
      { priceBook },
    )
    await alerts.refreshSpend()
    alerts.spendPriced(0.000001)
    await alerts.idle()
    expect((await alerts.list({ limit: 5 })).items.map((a) => a.kind)).toEqual(['cost_anomaly'])
    await alerts.close()
  })
})
