import type { PoolClient } from 'pg'
import type { RetentionPolicy } from '../retention.js'
import { DAY_MS, HOUR_MS, hourCellsSince } from '../rollups.js'
import { PARTITION_LOCK_TIMEOUT, type PgLogTarget } from './log-writer.js'
import { MAINTENANCE_LOCK } from './migrations.js'
import type { PgPool } from './pool.js'

/** Partitions made ahead of today: a writer never waits on a CREATE at midnight, whichever instance writes first. */
export const PARTITION_DAYS_AHEAD = 2
const PARTITION_NAME = /^request_logs_(\d{4})(\d{2})(\d{2})$/
const ROLLUP_TABLES = ['log_rollup_hours', 'log_rollup_days', 'log_rollup_guardrails', 'log_rollup_redactions']

export interface MaintenanceResult {
  /** False when another instance holds the maintenance lock (it does the work). */
  ran: boolean
  /** Partitions this run made. */
  created: string[]
  /** Whole days dropped for being older than maxAgeDays, then oldest first while over maxDbMb. */
  droppedByAge: string[]
  droppedBySize: string[]
  /** Bytes of the request log partitions and rollup tables after the run. */
  bytes: number
}

const partitionName = (dayStart: number) => {
  const d = new Date(dayStart)
  const two = (n: number) => String(n).padStart(2, '0')
  return `request_logs_${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`
}

async function partitions(client: PoolClient): Promise<{ name: string; day: number; bytes: number }[]> {
  const { rows } = await client.query<{ name: string; bytes: number }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'request_logs'::regclass`,
  )
  return rows
    .flatMap((r) => {
      const m = PARTITION_NAME.exec(r.name)
      return m ? [{ name: r.name, day: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])), bytes: r.bytes }] : []
    })
    .sort((a, b) => a.day - b.day)
}

/** A DROP that timed out on its lock: the run stops dropping and the next one tries again. */
const isLockTimeout = (err: unknown) => (err as { code?: string }).code === '55P03'

/**
 * One maintenance pass over the shared request log, on the instance that gets MAINTENANCE_LOCK (the others return at
 * once): makes the day partitions from today to PARTITION_DAYS_AHEAD ahead, drops whole days older than `maxAgeDays`,
 * then the oldest days while the log and its rollups take more than `maxDbMb` (pg_total_relation_size), never today's
 * or a later day (rows are being written there), and deletes hour cells past their keep as SQLite does (day cells
 * stay: they keep the history the charts draw). A DROP is a catalogue change, not a long DELETE; a CREATE or DROP
 * waits at most PARTITION_LOCK_TIMEOUT for its lock.
 */
export async function runPgMaintenance(
  db: PgPool,
  policy: RetentionPolicy,
  now = Date.now(),
): Promise<MaintenanceResult> {
  const result: MaintenanceResult = { ran: false, created: [], droppedByAge: [], droppedBySize: [], bytes: 0 }
  const client = await db.pool.connect()
  // A connection lost mid-run must fail the run, not the process (the pool listens only on idle clients).
  const onError = () => undefined
  client.on('error', onError)
  let broken: Error | undefined
  try {
    const [{ ok }] = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [MAINTENANCE_LOCK]))
      .rows
    if (!ok) return result
    result.ran = true
    try {
      await client.query(`SET lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`)
      const today = Math.floor(now / DAY_MS) * DAY_MS
      const have = new Set((await partitions(client)).map((p) => p.day))
      for (let d = 0; d <= PARTITION_DAYS_AHEAD; d++) {
        const day = today + d * DAY_MS
        if (have.has(day)) continue
        try {
          await client.query('SELECT switchyard_log_partition($1)', [day])
        } catch (err) {
          if (isLockTimeout(err)) break
          throw err
        }
        result.created.push(partitionName(day))
      }

      const parts = await partitions(client)
      const { rows } = await client.query<{ bytes: number }>(
        `SELECT ${ROLLUP_TABLES.map((t) => `pg_total_relation_size('${t}')`).join(' + ')} AS bytes`,
      )
      let bytes = rows[0].bytes + parts.reduce((n, p) => n + p.bytes, 0)
      const cutoff = now - policy.maxAgeDays * DAY_MS
      const cap = policy.maxDbMb * 1024 * 1024
      for (const p of parts) {
        const byAge = p.day + DAY_MS <= cutoff
        if (!byAge && (bytes <= cap || p.day >= today)) break
        try {
          await client.query(`DROP TABLE IF EXISTS "${p.name}"`)
        } catch (err) {
          if (isLockTimeout(err)) break
          throw err
        }
        bytes -= p.bytes
        ;(byAge ? result.droppedByAge : result.droppedBySize).push(p.name)
      }
      result.bytes = bytes
      await client.query('DELETE FROM log_rollup_hours WHERE start < $1', [hourCellsSince(now) / 1000])
    } finally {
      await client.query('RESET lock_timeout').catch((e: Error) => {
        broken = e
      })
      await client.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK]).catch((e: Error) => {
        // A connection that could not unlock is closed: closing it releases the lock.
        broken = e
      })
    }
    return result
  } catch (err) {
    broken = err as Error
    throw err
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

export interface PgMaintenance {
  /** Runs a pass now (after the one in progress, if any); undefined when the database is not ready. */
  run(): Promise<MaintenanceResult | undefined>
  /** A changed retention policy applies from the next pass, which starts soon. */
  setPolicy(policy: RetentionPolicy): void
  stop(): void
}

/**
 * Runs `runPgMaintenance` shortly after start and then every `intervalMs` (an hour: partitions two days ahead leave
 * ample margin), on every instance; the advisory lock makes one of them do each pass. A pass that finds the database
 * down or not yet migrated, or fails, is tried again after `retryMs`. Timers never keep the process alive.
 */
export function startPgMaintenance(
  target: PgLogTarget,
  policy: RetentionPolicy,
  {
    intervalMs = HOUR_MS,
    firstRunMs = 1000,
    retryMs = 60_000,
    warn = (message: string) => process.emitWarning(message, { type: 'SwitchyardLogRetention' }),
  } = {},
): PgMaintenance {
  let current = policy
  let stopped = false
  let running: Promise<MaintenanceResult | undefined> | undefined
  let timer: NodeJS.Timeout | undefined
  const next = (ms: number) => {
    clearTimeout(timer)
    if (stopped) return
    timer = setTimeout(() => void pass(), ms)
    timer.unref()
  }
  const once = async (): Promise<MaintenanceResult | undefined> => {
    const pool = target.pool()
    if (!pool?.available() || !target.migrated()) return undefined
    return runPgMaintenance(pool, current)
  }
  const pass = (): Promise<MaintenanceResult | undefined> => {
    if (running) return running.then(() => pass())
    running = once()
      .then(
        (r) => {
          next(r ? intervalMs : retryMs)
          return r
        },
        (err: Error) => {
          if (!stopped) warn(`request log maintenance on Postgres failed: ${err.message}`)
          next(retryMs)
          return undefined
        },
      )
      .finally(() => {
        running = undefined
      })
    return running
  }
  next(firstRunMs)
  return {
    run: pass,
    setPolicy(p) {
      if (p.maxAgeDays === current.maxAgeDays && p.maxDbMb === current.maxDbMb) return
      current = p
      next(firstRunMs)
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
