/**
 * Dashboard query times on the shared Postgres log (issue 22) at SCALE_ROWS rows (default 10 000 000) over
 * SCALE_DAYS days (default 30) ending now: the Overview (24 h by hour, 7 and 30 days by day), stats by provider,
 * spend by workspace, the Logs list (first page, a provider filter, errors) and search (a rare body word, a common
 * one, a rare error word), each through pgLogStore's report(): the gateway's own code and its statement timeout.
 * Each query runs SCALE_REPEAT times (default 3): the first is cold, the table shows it and the median of the rest.
 *
 * Rows are made in SQL (generate_series), one day's partition at a time, built as a plain table and then attached,
 * so Postgres builds its indexes in bulk; the rollups are then summed from the stored rows by the log writer's own
 * rollUpRows, an hour at a time. A throwaway Postgres (test/helpers/postgres-server.ts) unless SCALE_PG_URL names
 * an empty database to use.
 *
 *   npx tsx test/bench/pg-dashboards.ts                    # 10M rows: ~15-30 min on 2 cores, ~6 GB of disk
 *   SCALE_ROWS=200000 npx tsx test/bench/pg-dashboards.ts  # a quick look
 *
 * test/scale-out/pg-dashboards.test.ts runs the same code at a small size inside `npm test`.
 */
import pg from 'pg'
import type { LogPage } from '../../src-gateway/store/log-queries.js'
import type { OverviewResult, SpendResult, StatsResult } from '../../src-gateway/store/log-stats.js'
import { pgLogStore } from '../../src-gateway/store/pg/log-store.js'
import { rollUpRows } from '../../src-gateway/store/pg/log-writer.js'
import { migratePg } from '../../src-gateway/store/pg/migrations.js'
import { openPgPool } from '../../src-gateway/store/pg/pool.js'
import { ROW_COLUMNS, type RollupLine } from '../../src-gateway/store/rollups.js'
import { startPostgres } from '../helpers/postgres-server.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const ROLLUP_WINDOW_MS = 6 * HOUR_MS

/** Words the generated rows carry, a rare one in bodies and one in errors: 50 rows each, fewer than a page. */
export const PG_RARE = { body: 'quetzalcoatlus', error: 'xylophonist', rows: 50 } as const
/** One row in this many has each rare word: a multiple of 50, as every 50th row is an error. */
export const rareEvery = (rows: number) => Math.max(50, Math.floor(rows / PG_RARE.rows / 50) * 50)
export const PG_MODELS = ['gpt-4o', 'claude-sonnet-4-5', 'llama3.1:8b', 'mistral-large', 'gpt-4o-mini', 'o3'] as const
export const PG_PROVIDERS = ['openai', 'anthropic', 'ollama', 'mistral'] as const

export interface DashboardTiming {
  query: string
  /** The first run's time, ms. */
  coldMs: number
  /** The median of the later runs, ms (the first run's time when there is one run). */
  warmMs: number
  /** A number from the answer that shows it read the data (a total, a row count). */
  answer: number
}

export interface PgDashboardsResult {
  rows: number
  days: number
  fillSeconds: number
  rollupSeconds: number
  tableBytes: number
  timings: DashboardTiming[]
}

/**
 * Rows numbered $1..$2 spread evenly over $3..$4 (epoch ms, one day's partition), the rare words in one row of $7:
 * every column a gateway row has that the dashboards read, and the search document as the writer makes it (meta
 * A, bodies B).
 */
const DAY_ROWS = `
INSERT INTO %TABLE% (id, created_at, request_id, inbound_api, provider, model, requested_model, key_name, status, error,
  latency_ms, ttft_ms, input_tokens, output_tokens, is_estimated, cost_usd, is_stream, attempts, is_cache_hit,
  cache_saved_usd, is_fallback, is_truncated, workspace, person, session_id, search)
SELECT g, t, rid, 'openai', provider, model, model, key_name, status, error,
  latency, ttft, input_tokens, output_tokens, 0, (input_tokens * 2.5 + output_tokens * 10) / 1e6, (g % 2)::int2, 1,
  (g % 20 = 0)::int::int2, CASE WHEN g % 20 = 0 THEN 0.001 END, 0, 0, workspace, person, session_id,
  setweight(to_tsvector('simple', concat_ws(' ', rid, model, model, error)), 'A') ||
  setweight(to_tsvector('simple', body), 'B')
FROM (
  SELECT g,
    ($3::int8 + ((g - $1) * ($4::int8 - $3)) / greatest($2 - $1 + 1, 1))::int8 AS t,
    'req_' || lpad(to_hex(g), 12, '0') AS rid,
    ($5::text[])[1 + g % ${PG_PROVIDERS.length}] AS provider,
    ($6::text[])[1 + g % ${PG_MODELS.length}] AS model,
    (ARRAY['alice', 'bob', 'ci', 'research-bot', 'support'])[1 + g % 5] AS key_name,
    CASE WHEN g % 50 = 0 THEN 500 WHEN g % 97 = 0 THEN 429 ELSE 200 END AS status,
    CASE WHEN g % 50 = 0 THEN 'upstream failed: ' || CASE WHEN g % $7 = 0 THEN '${PG_RARE.error}' ELSE 'timeout' END
         WHEN g % 97 = 0 THEN 'rate limited' END AS error,
    (50 + (g * 7919) % 5000)::float8 AS latency,
    (20 + (g * 31) % 800)::float8 AS ttft,
    (100 + g % 2000)::int AS input_tokens,
    (20 + g % 800)::int AS output_tokens,
    CASE g % 4 WHEN 0 THEN 'research' WHEN 1 THEN 'support' END AS workspace,
    CASE WHEN g % 10 = 0 THEN 'person-' || (g % 40) END AS person,
    CASE WHEN g % 3 = 0 THEN 'session-' || (g / 300) END AS session_id,
    'summarise the quarterly report for team ' || (g % 1000) || ' and list the open questions' ||
      CASE WHEN g % $7 = 7 THEN ' ${PG_RARE.body}' ELSE '' END AS body
  FROM generate_series($1::int8, $2::int8) AS g
) r`

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Fills `url`'s database (migrated, empty) and times the dashboards' queries on it. */
export async function runPgDashboards(
  url: string,
  opts: { rows: number; days: number; repeat: number; now?: number; onProgress?: (line: string) => void },
): Promise<PgDashboardsResult> {
  const now = opts.now ?? Date.now()
  const say = opts.onProgress ?? (() => {})
  const pool = await openPgPool(url)
  // Filling is no request: no statement timeout for it.
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    await migratePg(pool)
    const fillStart = performance.now()
    const from = now - opts.days * DAY_MS
    const perMs = opts.rows / (now - from)
    let next = 1
    for (let dayStart = Math.floor(from / DAY_MS) * DAY_MS; dayStart < now; dayStart += DAY_MS) {
      const lo = Math.max(dayStart, from)
      const hi = Math.min(dayStart + DAY_MS, now)
      const count = hi === now ? opts.rows - next + 1 : Math.round((hi - lo) * perMs)
      if (count <= 0) continue
      const name = `request_logs_${new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '')}`
      // A plain table filled, then attached: the indexes are built once, in bulk, not row by row.
      await admin.query(`DROP TABLE IF EXISTS ${name}`)
      await admin.query(`CREATE TABLE ${name} (LIKE request_logs INCLUDING DEFAULTS)`)
      await admin.query(DAY_ROWS.replace('%TABLE%', name), [
        next,
        next + count - 1,
        lo,
        hi - 1,
        PG_PROVIDERS,
        PG_MODELS,
        rareEvery(opts.rows),
      ])
      await admin.query(
        `ALTER TABLE request_logs ATTACH PARTITION ${name} FOR VALUES FROM (${dayStart}) TO (${dayStart + DAY_MS})`,
      )
      next += count
      say(`filled ${new Date(dayStart).toISOString().slice(0, 10)}: ${next - 1} rows`)
    }
    // The ids were given here: the identity continues after them, as after a migrate.
    await admin.query(
      `SELECT setval(pg_get_serial_sequence('request_logs', 'id'), greatest((SELECT max(id) FROM request_logs), 1))`,
    )
    await admin.query('ANALYZE request_logs')
    const fillSeconds = (performance.now() - fillStart) / 1000

    const rollStart = performance.now()
    // Six hours at a time: ~80 000 rows per read at 10M rows over 30 days.
    for (let h = Math.floor(from / HOUR_MS) * HOUR_MS; h < now; h += ROLLUP_WINDOW_MS) {
      const { rows } = await pool.pool.query<RollupLine & { id: number }>(
        `SELECT ${ROW_COLUMNS} FROM request_logs WHERE created_at >= $1 AND created_at < $2`,
        [h, h + ROLLUP_WINDOW_MS],
      )
      if (rows.length > 0) {
        await rollUpRows(
          pool.pool,
          rows,
          rows.map((r) => Number(r.created_at)),
        )
      }
    }
    await admin.query('ANALYZE log_rollup_hours; ANALYZE log_rollup_days')
    const rollupSeconds = (performance.now() - rollStart) / 1000
    say(`rollups in ${rollupSeconds.toFixed(1)} s`)
    const size = await admin.query<{ bytes: string }>(
      `SELECT sum(pg_total_relation_size(c.oid))::text AS bytes FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'request_logs'::regclass`,
    )

    const store = pgLogStore(pool)
    const iso = (ms: number) => new Date(ms).toISOString()
    const range = (ms: number) => ({ from: iso(now - ms), to: iso(now + 1) })
    const total = (r: StatsResult) => r.totals.requests
    const queries: [string, () => Promise<number>][] = [
      [
        'overview 24h by hour',
        async () =>
          total(
            (
              JSON.parse(
                await store.report({
                  kind: 'overview',
                  query: { ...range(DAY_MS), bucket: 'hour', groupBy: 'model' },
                  now,
                }),
              ) as OverviewResult
            ).overall,
          ),
      ],
      [
        'overview 7d by day',
        async () =>
          total(
            (
              JSON.parse(
                await store.report({
                  kind: 'overview',
                  query: { ...range(7 * DAY_MS), bucket: 'day', groupBy: 'model' },
                  now,
                }),
              ) as OverviewResult
            ).overall,
          ),
      ],
      [
        `overview ${opts.days}d by day`,
        async () =>
          total(
            (
              JSON.parse(
                await store.report({
                  kind: 'overview',
                  query: { ...range(opts.days * DAY_MS), bucket: 'day', groupBy: 'model' },
                  now,
                }),
              ) as OverviewResult
            ).overall,
          ),
      ],
      [
        `stats ${opts.days}d by provider`,
        async () =>
          total(
            JSON.parse(
              await store.report({
                kind: 'stats',
                query: { ...range(opts.days * DAY_MS), bucket: 'day', groupBy: 'provider' },
                now,
              }),
            ) as StatsResult,
          ),
      ],
      [
        `spend ${opts.days}d by workspace`,
        async () =>
          (
            JSON.parse(
              await store.report({ kind: 'spend', query: { ...range(opts.days * DAY_MS), by: 'workspace' }, now }),
            ) as SpendResult
          ).groups.reduce((n, g) => n + g.requests, 0),
      ],
      ['logs first page', () => logs({})],
      ['logs provider=ollama', () => logs({ provider: 'ollama' })],
      ['logs errors', () => logs({ status: 'error' })],
      [`search body "${PG_RARE.body}"`, () => logs({ q: PG_RARE.body })],
      ['search body "quarterly"', () => logs({ q: 'quarterly' })],
      [`search error "${PG_RARE.error}"`, () => logs({ q: PG_RARE.error })],
    ]
    async function logs(filter: Record<string, unknown>): Promise<number> {
      const page = JSON.parse(await store.report({ kind: 'logs', filter, page: { limit: 100 } })) as LogPage
      return page.items.length
    }
    const timings: DashboardTiming[] = []
    for (const [query, run] of queries) {
      const times: number[] = []
      let answer = 0
      for (let k = 0; k < Math.max(1, opts.repeat); k++) {
        const t = performance.now()
        answer = await run()
        times.push(performance.now() - t)
      }
      timings.push({ query, coldMs: times[0], warmMs: times.length > 1 ? median(times.slice(1)) : times[0], answer })
      say(`${query}: ${times.map((t) => t.toFixed(1)).join(' / ')} ms`)
    }
    await store.close()
    return {
      rows: opts.rows,
      days: opts.days,
      fillSeconds,
      rollupSeconds,
      tableBytes: Number(size.rows[0].bytes),
      timings,
    }
  } finally {
    await admin.end()
    await pool.close()
  }
}

/** The result as the Markdown table the board and the closing note take. */
export function dashboardsTable(r: PgDashboardsResult): string {
  const lines = [
    `Postgres dashboards at ${r.rows.toLocaleString('en')} rows over ${r.days} days ` +
      `(filled in ${r.fillSeconds.toFixed(0)} s, rollups ${r.rollupSeconds.toFixed(0)} s, ` +
      `${(r.tableBytes / 2 ** 30).toFixed(2)} GiB with indexes)`,
    '',
    '| query | cold ms | warm ms | answer |',
    '|---|---:|---:|---:|',
    ...r.timings.map((t) => `| ${t.query} | ${t.coldMs.toFixed(1)} | ${t.warmMs.toFixed(1)} | ${t.answer} |`),
  ]
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.env.SCALE_ROWS ?? 10_000_000)
  const days = Number(process.env.SCALE_DAYS ?? 30)
  const repeat = Number(process.env.SCALE_REPEAT ?? 3)
  const given = process.env.SCALE_PG_URL
  const server = given ? undefined : await startPostgres()
  try {
    const result = await runPgDashboards(given ?? server!.url, {
      rows,
      days,
      repeat,
      onProgress: (line) => process.stderr.write(`[pg-dashboards] ${line}\n`),
    })
    process.stdout.write(`${dashboardsTable(result)}\n`)
    if (process.env.SCALE_OUT) {
      const { writeFileSync } = await import('node:fs')
      writeFileSync(process.env.SCALE_OUT, `${JSON.stringify(result, null, 2)}\n`)
    }
  } finally {
    await server?.stop()
  }
}
