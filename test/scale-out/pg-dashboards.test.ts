import { afterAll, beforeAll, expect, it } from 'vitest'
import { dashboardsTable, PG_RARE, type PgDashboardsResult, runPgDashboards } from '../bench/pg-dashboards.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'

// test/bench/pg-dashboards.ts at a small size (SCALE_ROWS, 20 000 unless set; `npm run bench` runs 10M): the rows
// made in SQL and the rollups summed by the writer's own code answer the dashboards as the gateway's log would,
// so the benchmark's times are of real answers.

const ROWS = Number(process.env.SCALE_ROWS ?? 20_000)
const DAYS = 3
let server: PostgresServer
let result: PgDashboardsResult

beforeAll(async () => {
  server = await startPostgres()
  result = await runPgDashboards(server.url, { rows: ROWS, days: DAYS, repeat: 2 })
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
