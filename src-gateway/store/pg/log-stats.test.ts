import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { parseConfig } from '../../config/load.js'
import type { LogEvent } from '../../core/log-event.js'
import { createPriceBook } from '../../pricing/price-book.js'
import { openDatabase } from '../db.js'
import { computeOverview, computeSpend, computeStats, mcpActivity } from '../log-stats.js'
import { createLogWriter } from '../log-writer.js'
import { pgComputeOverview, pgComputeSpend, pgComputeStats, pgMcpActivity } from './log-stats.js'
import { createPgLogWriter, pgTarget } from './log-writer.js'
import { migratePg } from './migrations.js'
import { openPgPool, type PgPool } from './pool.js'

// The dashboards on Postgres must give SQLite's answers for the same rows: the same events go through both writers
// (each rolls up in its own way: SQLite minute/hour/day cells, Postgres hour/day cells upserted per flush), then
// every report is asked of both over ranges with whole days, whole hours and partial edges, and compared.

// Relative to the wall clock: the SQLite writer keeps minute cells for the last 49 hours of real time.
const NOW = Date.now()
const DAY = Math.floor(NOW / 86_400_000) * 86_400_000 - 2 * 86_400_000
const priceBook = createPriceBook(parseConfig('providers: { openai: { type: openai, apiKey: sk-x } }', 'yaml').resolved)

const events: LogEvent[] = []
for (let i = 0; i < 240; i++) {
  events.push({
    requestId: `req_${i}`,
    // ~1.8 days, 11 minutes apart: whole hours, partial hours and two UTC days.
    startedAt: DAY + 3_600_000 + i * 660_000 + (i % 7) * 1000,
    inboundApi: i % 23 === 0 ? 'mcp' : 'openai',
    requestedModel: i % 3 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
    provider: i % 23 === 0 ? 'files' : i % 5 === 0 ? 'backup' : 'openai',
    model: i % 23 === 0 ? 'read_file' : i % 3 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
    keyName: i % 4 === 0 ? 'team-a' : i % 4 === 1 ? 'team-b' : undefined,
    workspace: i % 2 === 0 ? 'research' : i % 3 === 0 ? 'ops' : undefined,
    person: i % 5 === 0 ? 'ada' : undefined,
    status: i % 13 === 0 ? 500 : 200,
    error: i % 13 === 0 ? 'upstream failed' : undefined,
    latencyMs: 20 + ((i * 37) % 900),
    ttftMs: i % 2 === 0 ? 5 + ((i * 11) % 300) : undefined,
    stream: i % 2 === 0,
    attempts: 1,
    inputTokens: 1000 + i * 17,
    outputTokens: 200 + i * 3,
    isCacheHit: i % 9 === 0,
    redactions: i % 10 === 0 ? { email: 1 + (i % 3) } : undefined,
    guardrails:
      i % 12 === 0
        ? [
            {
              stage: 'input',
              type: 'blocked_patterns',
              check: 'no-secrets',
              detail: 'm',
              action: i % 24 === 0 ? 'block' : 'flag',
            },
          ]
        : undefined,
  })
}

let server: PostgresServer
let pool: PgPool
const sqlite = openDatabase(':memory:')

beforeAll(async () => {
  server = await startPostgres()
  pool = await openPgPool(server.url)
  await migratePg(pool)
  const lite = createLogWriter(sqlite, { flushMs: 60_000, priceBook })
  const pg = createPgLogWriter(pgTarget(pool), { flushMs: 60_000, priceBook })
  // Several flushes, so Postgres cells are merged by upserts as they are on a live gateway.
  for (const [i, e] of events.entries()) {
    lite.push(e)
    pg.push(e)
    if (i % 50 === 49) {
      lite.flush()
      await pg.flush()
    }
  }
  lite.flush()
  await pg.flush()
  await Promise.all([lite.close(), pg.close()])
}, 60_000)

afterAll(async () => {
  await pool?.close()
  await server?.stop()
  sqlite.close()
})

/** A report without the database's own size (each backend measures its own), sums rounded past float noise. */
const same = (x: unknown) =>
  JSON.parse(
    JSON.stringify(x, (k, v) =>
      k === 'db' ? undefined : typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 : v,
    ),
  )

const at = (ms: number) => new Date(ms).toISOString()
const RANGES: [string, number, number][] = [
  ['whole days', DAY, DAY + 2 * 86_400_000],
  ['partial edges', DAY + 3_600_000 + 17 * 60_000 + 123, DAY + 86_400_000 + 5 * 3_600_000 + 41 * 60_000],
  ['inside one hour', DAY + 5 * 3_600_000 + 10 * 60_000, DAY + 5 * 3_600_000 + 50 * 60_000],
  ['empty', DAY - 86_400_000, DAY],
]

describe('Postgres dashboards answer as SQLite does', () => {
  for (const [name, from, to] of RANGES) {
    for (const bucket of ['5m', 'hour', 'day'] as const) {
      it(`stats, ${name}, ${bucket} buckets, ungrouped and by model, provider and key`, async () => {
        for (const groupBy of [undefined, 'model', 'provider', 'key'] as const) {
          const q = { from: at(from), to: at(to), bucket, groupBy }
          expect(same(await pgComputeStats(pool, q, NOW))).toEqual(same(await computeStats(sqlite, q, NOW)))
        }
      })
    }
    it(`overview and spend, ${name}`, async () => {
      const q = { from: at(from), to: at(to), bucket: 'hour' as const, groupBy: 'key' as const }
      expect(same(await pgComputeOverview(pool, q, NOW))).toEqual(same(await computeOverview(sqlite, q, NOW)))
      for (const by of ['workspace', 'person'] as const) {
        const s = { from: at(from), to: at(to), by }
        expect(same(await pgComputeSpend(pool, s, NOW))).toEqual(same(await computeSpend(sqlite, s, NOW)))
      }
    })
    it(`a member's overview and spend (their workspaces only), ${name}`, async () => {
      const ws = ['ops']
      const q = { from: at(from), to: at(to), bucket: 'day' as const, groupBy: 'model' as const }
      expect(same(await pgComputeOverview(pool, q, NOW, ws))).toEqual(same(await computeOverview(sqlite, q, NOW, ws)))
      const s = { from: at(from), to: at(to), by: 'person' as const }
      expect(same(await pgComputeSpend(pool, s, NOW, ws))).toEqual(same(await computeSpend(sqlite, s, NOW, ws)))
    })
  }

  it('the reports are not vacuous: totals, percentiles, hits, spend and tool calls are there', async () => {
    const q = { from: at(DAY), to: at(DAY + 2 * 86_400_000), bucket: 'day' as const, groupBy: 'model' as const }
    const o = await pgComputeOverview(pool, q, NOW)
    expect(o.overall.totals.requests).toBe(events.filter((e) => e.inboundApi !== 'mcp').length)
    expect(o.overall.totals.costUsd).toBeGreaterThan(0)
    expect(o.overall.totals.latencyMs.p95).toBeGreaterThan(0)
    expect(o.overall.byGuardrail.length).toBeGreaterThan(0)
    expect(o.overall.byRedaction[0].type).toBe('email')
    expect(o.overall.db.rows).toBe(events.length)
    expect(o.overall.db.sizeBytes).toBeGreaterThan(0)
    expect(o.spend.workspace.map((g) => g.group)).toContain('research')
    expect(o.mcp.calls).toBe(events.filter((e) => e.inboundApi === 'mcp').length)
    expect(await pgMcpActivity(pool, DAY, DAY + 2 * 86_400_000)).toEqual(mcpActivity(sqlite, DAY, DAY + 2 * 86_400_000))
  })
})
