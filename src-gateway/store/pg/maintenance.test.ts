import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import type { LogEvent } from '../../core/log-event.js'
import { DAY_MS } from '../rollups.js'
import { createPgLogWriter, pgTarget } from './log-writer.js'
import { runPgMaintenance, startPgMaintenance } from './maintenance.js'
import { MAINTENANCE_LOCK, migratePg } from './migrations.js'
import { openPgPool, type PgPool } from './pool.js'

const NOW = Date.parse('2026-03-20T10:00:00Z')
let seq = 0
const event = (startedAt: number, over: Partial<LogEvent> = {}): LogEvent => ({
  requestId: `req_${++seq}`,
  startedAt,
  inboundApi: 'openai',
  requestedModel: 'gpt-4o',
  provider: 'openai',
  model: 'gpt-4o',
  status: 200,
  latencyMs: 12,
  stream: false,
  attempts: 1,
  ...over,
})

let server: PostgresServer
let pool: PgPool

beforeAll(async () => {
  server = await startPostgres()
  pool = await openPgPool(server.url)
  await migratePg(pool)
})

afterAll(async () => {
  await pool?.close()
  await server?.stop()
})

const partitionNames = async () =>
  (
    await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'request_logs'::regclass ORDER BY 1`,
    )
  ).map((r) => r.name)

beforeEach(async () => {
  for (const name of await partitionNames()) await pool.query(`DROP TABLE "${name}"`)
  await pool.query('TRUNCATE log_rollup_hours, log_rollup_days, log_rollup_guardrails, log_rollup_redactions')
})

/** Rows on each of `days` (days before NOW), `perDay` each, with a body of `bodyKb` KB. */
async function fill(days: number[], perDay: number, bodyKb = 0) {
  const writer = createPgLogWriter(pgTarget(pool), { maxRows: 500 })
  const body = bodyKb > 0 ? { text: 'x'.repeat(bodyKb * 1024) } : undefined
  for (const d of days) for (let i = 0; i < perDay; i++) writer.push(event(NOW - d * DAY_MS + i, { requestBody: body }))
  await writer.flush()
  await writer.close()
}

const keep = { maxAgeDays: 365, maxDbMb: 2048 }

describe('Postgres log maintenance', () => {
  it('makes the partitions of today and the next two days, once', async () => {
    const first = await runPgMaintenance(pool, keep, NOW)
    expect(first).toMatchObject({ ran: true, droppedByAge: [], droppedBySize: [] })
    expect(first.created).toEqual(['request_logs_20260320', 'request_logs_20260321', 'request_logs_20260322'])
    expect(await partitionNames()).toEqual(first.created)
    expect((await runPgMaintenance(pool, keep, NOW)).created).toEqual([])
  })

  it('drops whole days older than maxAgeDays and leaves the rollups', async () => {
    await fill([10, 8, 6, 0], 5)
    const [before] = await pool.query<{ n: number }>(`SELECT sum(requests) AS n FROM log_rollup_days WHERE dim = 'all'`)
    expect(before.n).toBe(20)
    const r = await runPgMaintenance(pool, { maxAgeDays: 7, maxDbMb: 2048 }, NOW)
    // The day 8 days back ends 7 days and 10 hours before NOW: wholly past the cutoff. The day 6 back is kept.
    expect(r.droppedByAge).toEqual(['request_logs_20260310', 'request_logs_20260312'])
    expect(r.droppedBySize).toEqual([])
    const [left] = await pool.query<{ n: number }>('SELECT count(*) AS n FROM request_logs')
    expect(left.n).toBe(10)
    const [after] = await pool.query<{ n: number }>(`SELECT sum(requests) AS n FROM log_rollup_days WHERE dim = 'all'`)
    expect(after.n).toBe(20)
  })

  it('drops the oldest days while over maxDbMb, never today', async () => {
    await fill([3, 2, 1, 0], 40, 8)
    const r = await runPgMaintenance(pool, { maxAgeDays: 365, maxDbMb: 0 }, NOW)
    expect(r.droppedByAge).toEqual([])
    expect(r.droppedBySize).toEqual(['request_logs_20260317', 'request_logs_20260318', 'request_logs_20260319'])
    expect(await partitionNames()).toEqual(['request_logs_20260320', 'request_logs_20260321', 'request_logs_20260322'])
    const [left] = await pool.query<{ n: number }>('SELECT count(*) AS n FROM request_logs')
    expect(left.n).toBe(40)

    await fill([2, 1], 40, 8)
    const { bytes } = await runPgMaintenance(pool, keep, NOW)
    // A cap just under the current size drops the oldest day alone.
    const one = await runPgMaintenance(pool, { maxAgeDays: 365, maxDbMb: (bytes - 1) / 1024 / 1024 }, NOW)
    expect(one.droppedBySize).toEqual(['request_logs_20260318'])
  })

  it('does nothing while another instance holds the maintenance lock', async () => {
    await fill([30], 3)
    const other = await pool.pool.connect()
    try {
      await other.query('SELECT pg_advisory_lock($1)', [MAINTENANCE_LOCK])
      const r = await runPgMaintenance(pool, { maxAgeDays: 7, maxDbMb: 2048 }, NOW)
      expect(r).toEqual({ ran: false, created: [], droppedByAge: [], droppedBySize: [], bytes: 0 })
      expect(await partitionNames()).toEqual(['request_logs_20260218'])
      await other.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK])
    } finally {
      other.release()
    }
    expect((await runPgMaintenance(pool, { maxAgeDays: 7, maxDbMb: 2048 }, NOW)).droppedByAge).toEqual([
      'request_logs_20260218',
    ])
  })

  it('two instances starting together: one does each pass, the partitions are made once', async () => {
    const other = await openPgPool(server.url)
    try {
      const results = await Promise.all([
        runPgMaintenance(pool, keep, NOW),
        runPgMaintenance(other, keep, NOW),
        runPgMaintenance(pool, keep, NOW),
      ])
      expect(results.flatMap((r) => r.created).sort()).toEqual([
        'request_logs_20260320',
        'request_logs_20260321',
        'request_logs_20260322',
      ])
    } finally {
      await other.close()
    }
  })

  it('gives up a CREATE or DROP that waits behind a reader, and the next pass does it', async () => {
    await fill([30], 3)
    const reader = await pool.pool.connect()
    try {
      await reader.query('BEGIN')
      await reader.query('SELECT count(*) FROM request_logs')
      const started = Date.now()
      const r = await runPgMaintenance(pool, { maxAgeDays: 7, maxDbMb: 2048 }, NOW)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(r).toMatchObject({ ran: true, created: [], droppedByAge: [] })
      await reader.query('COMMIT')
    } finally {
      reader.release()
    }
    expect(await runPgMaintenance(pool, { maxAgeDays: 7, maxDbMb: 2048 }, NOW)).toMatchObject({
      created: ['request_logs_20260320', 'request_logs_20260321', 'request_logs_20260322'],
      droppedByAge: ['request_logs_20260218'],
    })
  })

  it('runs on a schedule once the database is ready, and a changed policy applies at the next pass', async () => {
    let ready = false
    const m = startPgMaintenance(
      { pool: () => pool, migrated: () => ready },
      { maxAgeDays: 365, maxDbMb: 2048 },
      { firstRunMs: 10, retryMs: 50 },
    )
    try {
      expect(await m.run()).toBeUndefined()
      ready = true
      const r = await m.run()
      expect(r?.ran).toBe(true)
      const today = Math.floor(Date.now() / DAY_MS) * DAY_MS
      expect(await partitionNames()).toContain(
        `request_logs_${new Date(today).toISOString().slice(0, 10).replaceAll('-', '')}`,
      )
    } finally {
      m.stop()
    }
  })
})
