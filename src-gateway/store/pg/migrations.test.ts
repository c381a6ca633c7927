import { expect, it } from 'vitest'
import { postgresForFile } from '../../../test/helpers/postgres-server.js'
import { migratePg, PG_MIGRATIONS, PG_SCHEMA_VERSION, PgSchemaError } from './migrations.js'
import { openPgPool, type PgPool } from './pool.js'

// The shared request log's schema against a real Postgres: applied once however many instances start at once,
// idempotent, refused when a newer gateway migrated the database.

const server = postgresForFile()

async function withPools<T>(n: number, fn: (pools: PgPool[]) => Promise<T>): Promise<T> {
  const pools = await Promise.all(Array.from({ length: n }, () => openPgPool(server.url)))
  try {
    return await fn(pools)
  } finally {
    await Promise.all(pools.map((p) => p.close()))
  }
}

it('three instances migrating at once apply each version exactly once; a later run applies nothing', async () => {
  await withPools(3, async (pools) => {
    const runs = await Promise.all(pools.map((p) => migratePg(p)))
    expect(runs.flat().sort()).toEqual(PG_MIGRATIONS.map((m) => m.version))
    const rows = await pools[0].query<{ version: number; name: string; applied_at: number }>(
      'SELECT version, name, applied_at FROM switchyard_migrations ORDER BY version',
    )
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version))
    expect(typeof rows[0].applied_at).toBe('number')
    expect(await migratePg(pools[1])).toEqual([])
  })
})

it('day partitions: one per UTC day, made by either instance, rows routed by created_at; a day without one is refused', async () => {
  await withPools(2, async ([a, b]) => {
    await migratePg(a)
    const day = Date.UTC(2026, 11, 5)
    const [x, y] = await Promise.all([
      a.query<{ p: string }>('SELECT switchyard_log_partition($1) AS p', [day + 5]),
      b.query<{ p: string }>('SELECT switchyard_log_partition($1) AS p', [day + 86_399_999]),
    ])
    expect(x[0].p).toBe('request_logs_20261205')
    expect(y[0].p).toBe('request_logs_20261205')
    const insert = `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms, is_estimated,
      is_stream, attempts, is_cache_hit, search) VALUES ($1, $2, 'openai', 200, 12.5, 0, 0, 1, 0,
      setweight(to_tsvector('simple', $2), 'A')) RETURNING id`
    const [row] = await a.query<{ id: number }>(insert, [day + 1000, 'req-partition-1'])
    expect(typeof row.id).toBe('number')
    const where = await a.query<{ t: string }>('SELECT tableoid::regclass::text AS t FROM request_logs WHERE id = $1', [
      row.id,
    ])
    expect(where[0].t).toBe('request_logs_20261205')
    await expect(a.query(insert, [day - 1000, 'req-partition-0'])).rejects.toThrow(/no partition/)
    const found = await b.query<{ id: number }>(
      `SELECT id FROM request_logs WHERE search @@ to_tsquery('simple', 'req-partition-1:A')`,
    )
    expect(found.map((r) => r.id)).toEqual([row.id])
  })
})

it('sketch cells merge bin by bin in an upsert, as two instances flushing into one hour cell do', async () => {
  await withPools(2, async ([a, b]) => {
    await migratePg(a)
    const upsert = `INSERT INTO log_rollup_hours VALUES (3600, 'all', '', 1, 0, 10, 20, 0.5, 0, 0, 0, 0, 0, $1::jsonb, NULL)
      ON CONFLICT (dim, start, value) DO UPDATE SET requests = log_rollup_hours.requests + excluded.requests,
        cost_usd = log_rollup_hours.cost_usd + excluded.cost_usd,
        latency_sketch = switchyard_sketch_merge(log_rollup_hours.latency_sketch, excluded.latency_sketch),
        ttft_sketch = switchyard_sketch_merge(log_rollup_hours.ttft_sketch, excluded.ttft_sketch)`
    await Promise.all([a.query(upsert, ['{"10": 1, "20": 2}']), b.query(upsert, ['{"10": 4}'])])
    const [cell] = await a.query<{ requests: number; cost_usd: number; latency_sketch: Record<string, number> }>(
      `SELECT requests, cost_usd, latency_sketch FROM log_rollup_hours WHERE dim = 'all' AND start = 3600`,
    )
    expect(cell).toEqual({ requests: 2, cost_usd: 1, latency_sketch: { '10': 5, '20': 2 } })
  })
})

it('a database a newer gateway migrated is refused, with nothing changed', async () => {
  await withPools(1, async ([p]) => {
    await migratePg(p)
    const future = [
      ...PG_MIGRATIONS,
      { version: PG_SCHEMA_VERSION + 1, name: 'future', sql: 'CREATE TABLE future_only (x int)' },
    ]
    expect(await migratePg(p, future)).toEqual([PG_SCHEMA_VERSION + 1])
    const err = await migratePg(p).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PgSchemaError)
    expect(String((err as Error).message)).toContain(`version ${PG_SCHEMA_VERSION + 1}, newer than this gateway's`)
    // The lock was let go: the next run (here the newer gateway's) proceeds.
    expect(await migratePg(p, future)).toEqual([])
    await p.query('DROP TABLE future_only')
    await p.query('DELETE FROM switchyard_migrations WHERE version = $1', [PG_SCHEMA_VERSION + 1])
  })
})

it('a failed migration rolls back whole and records nothing', async () => {
  await withPools(1, async ([p]) => {
    await migratePg(p)
    const broken = [
      ...PG_MIGRATIONS,
      {
        version: PG_SCHEMA_VERSION + 1,
        name: 'broken',
        sql: 'CREATE TABLE half_made (x int); SELECT nope FROM nowhere',
      },
    ]
    await expect(migratePg(p, broken)).rejects.toThrow(/nowhere/)
    const tables = await p.query(`SELECT 1 FROM pg_tables WHERE tablename = 'half_made'`)
    expect(tables).toEqual([])
    const versions = await p.query<{ version: number }>('SELECT version FROM switchyard_migrations')
    expect(versions.map((v) => v.version)).toEqual(PG_MIGRATIONS.map((m) => m.version))
  })
})
