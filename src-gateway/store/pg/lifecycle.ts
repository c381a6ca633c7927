import type { Alerts } from '../../alerts/alerts.js'
import type { Backends } from '../../api/health.js'
import { type PgNotifier, pgNotifier } from './notify.js'
import type { PgPool } from './pool.js'

/** The shared request log's database in the gateway's life: opened and migrated at start, watched, closed at stop. */
export interface PgLifecycle {
  /**
   * Connects (loading `pg` only now) and brings the schema up to date; a database that is down at start is
   * migrated once it answers. Throws only for a schema newer than this gateway (PgSchemaError).
   */
  open(): Promise<void>
  close(): Promise<void>
  /** The pool once opened; its tables exist once `migrated()`. */
  pool(): PgPool | undefined
  migrated(): boolean
  /** Called once, when the schema is in place (at once when it already is). */
  onMigrated(listener: () => void): void
  /** Change notices between the instances (LISTEN/NOTIFY); closed with the lifecycle. */
  readonly notifier: PgNotifier
  backends: Backends
}

/**
 * Opens the Postgres at `url` (config `database` or `serve --database`). Each outage raises one
 * `backend_unavailable` alert (admins only) and its end a second one saying how long it lasted. An outage does not
 * make the gateway unready: calls do not read the log, and their rows wait in the writer's bounded queue.
 */
export function pgLifecycle(
  url: string,
  alerts: Alerts,
  clock: () => number,
  /** One line per outage and per recovery, never the URL (it may carry the password). */
  log: (line: string) => void = (line) => process.stderr.write(`switchyard: ${line}\n`),
): PgLifecycle {
  let pool: PgPool | undefined
  let schemaReady = false
  let migrating: Promise<void> | undefined
  const waiting: (() => void)[] = []
  let downSince: number | undefined
  const down = () => {
    if (downSince !== undefined) return
    downSince = clock()
    const since = new Date(downSince).toISOString()
    log('Postgres is unreachable: request log rows wait in memory (bounded) and the log pages fail until it answers')
    alerts.raise({
      kind: 'backend_unavailable',
      level: 'critical',
      message:
        'Postgres cannot be reached: calls are served, their log rows wait in memory up to the queue bound (then are dropped), and the logs and dashboards cannot be read until it returns',
      details: { backend: 'postgres', since },
      dedupeKey: `backend:postgres:${since}`,
    })
  }
  const up = () => {
    if (downSince === undefined) return
    const since = new Date(downSince).toISOString()
    const seconds = Math.round((clock() - downSince) / 1000)
    downSince = undefined
    log(`Postgres is reachable again after ${seconds} s`)
    alerts.raise({
      kind: 'backend_unavailable',
      level: 'warning',
      message: `Postgres is reachable again after ${seconds} s: the shared request log is written and read again`,
      details: { backend: 'postgres', since, seconds },
      dedupeKey: `backend:postgres:${since}:recovered`,
    })
  }
  const migrate = (p: PgPool): Promise<void> => {
    migrating ??= (async () => {
      const { migratePg } = await import('./migrations.js')
      await migratePg(p)
      schemaReady = true
      for (const l of waiting.splice(0)) l()
    })().finally(() => {
      migrating = undefined
    })
    return migrating
  }
  const reachable = () => pool?.available() === true && schemaReady
  // Made on first use: a gateway whose stores need no notices opens no listening connection.
  let notifier: PgNotifier | undefined
  const lifecycle: PgLifecycle = {
    async open() {
      const { openPgPool } = await import('./pool.js')
      const p = await openPgPool(url)
      pool = p
      if (p.available()) {
        try {
          await migrate(p)
        } catch (err) {
          const { PgSchemaError } = await import('./migrations.js')
          if (err instanceof PgSchemaError) {
            pool = undefined
            await p.close()
            throw err
          }
          // A database that went away mid-migration: tried again when it answers.
        }
      }
      if (!reachable()) down()
      p.onChange((isUp) => {
        if (!isUp) return down()
        if (schemaReady) return up()
        migrate(p).then(up, (err: Error) => log(`Postgres schema could not be brought up to date: ${err.message}`))
      })
    },
    async close() {
      await notifier?.close()
      const p = pool
      pool = undefined
      await p?.close()
    },
    pool: () => pool,
    migrated: () => schemaReady,
    onMigrated(listener) {
      if (schemaReady) listener()
      else waiting.push(listener)
    },
    get notifier() {
      notifier ??= pgNotifier(lifecycle)
      return notifier
    },
    backends: {
      states: () => ({ postgres: reachable() ? 'ok' : 'unavailable' }),
      ready: () => true,
    },
  }
  return lifecycle
}
