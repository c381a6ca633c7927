import type { Pool, PoolClient, QueryResultRow } from 'pg'

/**
 * A statement's longest run: a dashboard query over a month of rows, or a flush of a full queue, finishes well
 * within it; one that does not is cancelled by the server instead of holding a connection (and a caller) forever.
 */
export const STATEMENT_TIMEOUT_MS = 15_000
/** How long a query waits for a free connection, or for a new one to open, before it fails. */
const CONNECT_TIMEOUT_MS = 2000
/** How often the database is checked, so one that hangs (not only one that closed its sockets) is seen. */
const PING_EVERY_MS = 1000
/** A PING that takes longer than this counts as the database being down. */
const PING_TIMEOUT_MS = 1000
/** How long a start waits for the first connection; past it the gateway starts anyway, with Postgres unavailable. */
const FIRST_CONNECT_MS = 3000
/** Connections per instance: the writer's flush, a few dashboard queries and maintenance at once. */
const MAX_CONNECTIONS = 8

export type AvailabilityListener = (up: boolean) => void

/**
 * The Postgres several gateway instances share (config `database`) for the request log. Queries fail fast while
 * it is unreachable (a connect timeout, a statement timeout); `available()` and `onChange` say whether it is up.
 */
export interface PgPool {
  readonly pool: Pool
  /** A query on a pooled connection; rows come back with BIGINT and NUMERIC columns as JS numbers. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>
  /** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>
  available(): boolean
  /** Called on each transition between reachable and not; returns the unsubscribe. */
  onChange(listener: AvailabilityListener): () => void
  close(): Promise<void>
}

export interface PgPoolOptions {
  statementTimeoutMs?: number
  max?: number
}

/** Runs `p` for at most `ms`; a late answer is ignored. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/**
 * Opens a pool on `url` (loading the `pg` module only now, so a gateway without `database` never loads it) and
 * waits a moment for the first connection; a database that is not there yet does not stop the start: it is
 * reported unavailable and used once it answers.
 */
export async function openPgPool(url: string, options: PgPoolOptions = {}): Promise<PgPool> {
  const pg = (await import('pg')).default
  // Per pool, not pg's global parsers: a process may hold other pg users. COUNT/SUM of BIGINT come back as
  // BIGINT (20) or NUMERIC (1700); ids, times in ms and token counts stay far below 2^53.
  const types = new pg.TypeOverrides()
  types.setTypeParser(20, (v: string) => Number(v))
  types.setTypeParser(1700, (v: string) => Number(v))
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? MAX_CONNECTIONS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS,
    application_name: 'switchyard',
    types,
  })
  // An idle connection the server closed (a restart, a network cut) is reported here; availability says it.
  pool.on('error', () => undefined)

  const listeners = new Set<AvailabilityListener>()
  let up = false
  let closed = false
  const set = (next: boolean) => {
    if (next === up || closed) return
    up = next
    for (const l of listeners) l(up)
  }
  let pinging = false
  const ping = async () => {
    if (pinging || closed) return
    pinging = true
    try {
      await within(pool.query('SELECT 1'), PING_TIMEOUT_MS)
      set(true)
    } catch {
      set(false)
    } finally {
      pinging = false
    }
  }
  const timer = setInterval(() => void ping(), PING_EVERY_MS)
  timer.unref()
  const deadline = Date.now() + FIRST_CONNECT_MS
  while (!up && Date.now() < deadline) {
    await ping()
    if (!up) await new Promise((r) => setTimeout(r, 200))
  }

  return {
    pool,
    async query<R extends QueryResultRow>(text: string, values?: unknown[]) {
      return (await pool.query<R>(text, values)).rows
    },
    async transaction<T>(fn: (client: PoolClient) => Promise<T>) {
      const client = await pool.connect()
      // A connection whose ROLLBACK failed is in an unknown state: it is closed, not handed to the next query.
      let broken: Error | undefined
      // pg-pool listens for errors on idle clients only: one that breaks while checked out would otherwise emit an
      // unheard 'error' and end the process. The failing query rejects too, which is what the caller sees.
      const onError = (err: Error) => {
        broken = err
      }
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        const out = await fn(client)
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e
        })
        throw err
      } finally {
        client.off('error', onError)
        client.release(broken)
      }
    },
    available: () => up,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      closed = true
      clearInterval(timer)
      listeners.clear()
      await pool.end().catch(() => undefined)
    },
  }
}
