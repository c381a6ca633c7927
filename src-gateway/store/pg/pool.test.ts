import { expect, it } from 'vitest'
import { postgresForFile } from '../../../test/helpers/postgres-server.js'
import { openPgPool } from './pool.js'

const server = postgresForFile()

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

it('BIGINT and NUMERIC come back as numbers on this pool only, and the session says who it is', async () => {
  const pool = await openPgPool(server.url)
  try {
    const [row] = await pool.query<{ b: number; s: number; app: string; timeout: string }>(
      `SELECT 9007199254740::bigint AS b, sum(x)::numeric AS s, current_setting('application_name') AS app,
        current_setting('statement_timeout') AS timeout FROM (VALUES (1), (2)) v(x)`,
    )
    expect(row).toEqual({ b: 9007199254740, s: 3, app: 'switchyard', timeout: '15s' })
    // pg's global parsers are untouched: another user of pg in the process keeps its strings.
    const pg = (await import('pg')).default
    expect(pg.types.getTypeParser(20, 'text')('12')).toBe('12')
  } finally {
    await pool.close()
  }
})

it('a statement past the timeout is cancelled by the server', async () => {
  const pool = await openPgPool(server.url, { statementTimeoutMs: 200 })
  try {
    await expect(pool.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/)
    expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
  } finally {
    await pool.close()
  }
})

it('a transaction commits when its body resolves and rolls back when it throws', async () => {
  const pool = await openPgPool(server.url)
  try {
    await pool.query('CREATE TABLE tx_probe (x int)')
    await pool.transaction((c) => c.query('INSERT INTO tx_probe VALUES (1)'))
    await expect(
      pool.transaction(async (c) => {
        await c.query('INSERT INTO tx_probe VALUES (2)')
        throw new Error('refused')
      }),
    ).rejects.toThrow('refused')
    expect(await pool.query('SELECT x FROM tx_probe')).toEqual([{ x: 1 }])
    await pool.query('DROP TABLE tx_probe')
  } finally {
    await pool.close()
  }
})

it('availability follows the server: down when it dies, up when it returns, each change told once', async () => {
  const pool = await openPgPool(server.url)
  const seen: boolean[] = []
  pool.onChange((up) => seen.push(up))
  try {
    expect(pool.available()).toBe(true)
    await server.pause()
    await until('down', () => !pool.available())
    await expect(pool.query('SELECT 1')).rejects.toThrow()
    await server.resume()
    await until('up again', () => pool.available())
    expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
    expect(seen).toEqual([false, true])
  } finally {
    await pool.close()
  }
}, 30_000)

it('a start while the database is down does not wait past its bound, and the pool comes up when it answers', async () => {
  await server.pause()
  const started = Date.now()
  const pool = await openPgPool(server.url)
  try {
    expect(pool.available()).toBe(false)
    expect(Date.now() - started).toBeLessThan(6000)
    await server.resume()
    await until('up', () => pool.available())
  } finally {
    await pool.close()
  }
}, 30_000)

it('a connection killed inside a transaction rejects it, is not reused, and does not end the process', async () => {
  const pool = await openPgPool(server.url)
  try {
    await expect(
      pool.transaction(async (c) => {
        const [{ pid }] = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows
        await pool.query('SELECT pg_terminate_backend($1)', [pid])
        // The server's goodbye reaches the client while it is checked out: its 'error' comes with no query running.
        await new Promise((r) => setTimeout(r, 300))
        await c.query('SELECT 1')
      }),
    ).rejects.toThrow()
    expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
  } finally {
    await pool.close()
  }
})
