import { afterAll, beforeAll, expect, it } from 'vitest'
import { TOTAL_CAP } from '../../src-gateway/store/log-queries.js'
import { pgListLogs } from '../../src-gateway/store/pg/log-queries.js'
import { pgComputeOverview } from '../../src-gateway/store/pg/log-stats.js'
import { openPgPool, type PgPool } from '../../src-gateway/store/pg/pool.js'
import { dashboardsTable, PG_RARE, type PgDashboardsResult, runPgDashboards } from '../bench/pg-dashboards.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'

// test/bench/pg-dashboards.ts at a small size (SCALE_ROWS, 20 000 unless set; `npm run bench` runs 10M): the rows
// made in SQL and the rollups summed by the writer's own code answer the dashboards as the gateway's log would,
// so the benchmark's times are of real answers.

const ROWS = Number(process.env.SCALE_ROWS ?? 20_000)
const DAYS = 3
const NOW = Date.now()
let server: PostgresServer
let result: PgDashboardsResult

beforeAll(async () => {
  server = await startPostgres()
  result = await runPgDashboards(server.url, { rows: ROWS, days: DAYS, repeat: 2, now: NOW })
  console.log(dashboardsTable(result))
}, 300_000)
afterAll(async () => {
  await server?.stop()
})

const answer = (query: string) => {
  const t = result.timings.find((x) => x.query === query)
  if (!t) throw new Error(`no query ${query}`)
  return t.answer
}

it('the Overview, stats and spend over the whole range count every generated row', () => {
  expect(answer(`overview ${DAYS}d by day`)).toBe(ROWS)
  expect(answer(`stats ${DAYS}d by provider`)).toBe(ROWS)
  expect(answer(`spend ${DAYS}d by workspace`)).toBe(ROWS)
  // The rows are spread evenly over the range: a day holds a third of them (partial hours read from the rows).
  expect(answer('overview 24h by hour')).toBeGreaterThan(ROWS / DAYS - ROWS / 100)
  expect(answer('overview 24h by hour')).toBeLessThan(ROWS / DAYS + ROWS / 100)
})

it('the Logs list and search find their rows: full pages, and each rare word in exactly its rows', () => {
  for (const q of ['logs first page', 'logs provider=ollama', 'logs errors', 'search body "quarterly"'])
    expect(answer(q)).toBe(100)
  expect(answer(`search body "${PG_RARE.body}"`)).toBe(PG_RARE.rows)
  expect(answer(`search error "${PG_RARE.error}"`)).toBe(PG_RARE.rows)
})

it('every query answers within the gateway statement timeout, and a table row is printed per query', () => {
  for (const t of result.timings) expect(t.coldMs).toBeLessThan(15_000)
  expect(
    dashboardsTable(result)
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| query')),
  ).toHaveLength(result.timings.length)
})

interface PlanNode {
  'Relation Name'?: string
  'Actual Rows': number
  'Actual Loops': number
  'Rows Removed by Filter'?: number
  'Rows Removed by Index Recheck'?: number
  Plans?: PlanNode[]
}

/** Request-log rows a plan's scans read: the rows they returned plus those their filters threw away. */
function logRowsRead(node: PlanNode): number {
  const own = node['Relation Name']?.startsWith('request_logs')
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
      node['Actual Loops']
    : 0
  return own + (node.Plans ?? []).reduce((n, p) => n + logRowsRead(p), 0)
}

/**
 * Runs `work` on a pool whose every request_logs statement is also run under EXPLAIN ANALYZE: the request-log rows
 * the work read, summed over its statements. Times vary with the machine; rows read are what grows with the log.
 */
async function rowsReadBy(work: (db: PgPool) => Promise<unknown>): Promise<number> {
  const db = await openPgPool(server.url)
  let read = 0
  const query = db.query.bind(db)
  const spy: PgPool = Object.assign(Object.create(db) as PgPool, {
    async query(text: string, values?: unknown[]) {
      if (/FROM request_logs\b/.test(text) && /^\s*SELECT/.test(text)) {
        const [row] = await query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
          values,
        )
        read += logRowsRead(row['QUERY PLAN'][0].Plan)
      }
      return query(text, values)
    },
  })
  try {
    await work(spy)
  } finally {
    await db.close()
  }
  return read
}

const HOUR_MS = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
/** Day partitions the generated rows span, each of which an id-ordered page may open once. */
const PARTITIONS = DAYS + 1

it('an Overview reads the rows of its partial edge hours only: whole hours come from the rollups', async () => {
  const perHour = ROWS / (DAYS * 24)
  const read = await rowsReadBy((db) =>
    pgComputeOverview(
      db,
      { from: iso(NOW - DAYS * 24 * HOUR_MS), to: iso(NOW + 1), bucket: 'day', groupBy: 'model' },
      NOW,
    ),
  )
  // Two partial hours of rows (the range's edges, read twice: series and guardrail hits), plus the id span's
  // newest and oldest row per partition; the whole range would be ROWS.
  expect(read).toBeLessThan(4 * perHour * 1.2 + 4 * PARTITIONS)
  expect(read).toBeGreaterThan(0)
})

it('the first Logs page and a rare word read about a capped total and the page, whatever the log holds', async () => {
  const first = await rowsReadBy((db) => pgListLogs(db, {}, { limit: 100 }))
  expect(first).toBeLessThanOrEqual(TOTAL_CAP + 1 + PARTITIONS + 100)
  const rare = await rowsReadBy((db) => pgListLogs(db, { q: PG_RARE.body }, { limit: 100 }))
  expect(rare).toBeLessThanOrEqual(2 * PG_RARE.rows)
})

it('the Logs errors page reads failed calls only (partial index of their ids), not every row between them', async () => {
  // More failed calls than the total's cap, every other new row: walking all ids newest first would read twice
  // the cap to find the page and its total; the plan picks that walk only once the errors outnumber the cap.
  const db = await openPgPool(server.url)
  try {
    await db.query(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms, is_estimated, is_stream,
         attempts, is_cache_hit)
       SELECT $1::bigint - g, 'req_more_' || g, 'openai', CASE WHEN g % 2 = 0 THEN 500 ELSE 200 END, 10, 0, 0, 1, 0
       FROM generate_series(1, $2::int) AS g`,
      [NOW - HOUR_MS, 3 * TOTAL_CAP],
    )
    await db.query('ANALYZE request_logs')
  } finally {
    await db.close()
  }
  const read = await rowsReadBy((db) => pgListLogs(db, { status: 'error' }, { limit: 100 }))
  expect(read).toBeLessThanOrEqual(TOTAL_CAP + 1 + PARTITIONS + 100)
})
