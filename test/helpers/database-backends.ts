import { afterAll, beforeAll, describe } from 'vitest'
import { Alerts } from '../../src-gateway/alerts/alerts.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import type { PriceBook } from '../../src-gateway/pricing/price-book.js'
import type { BodyCipher } from '../../src-gateway/store/body-cipher.js'
import { type Db, openDatabase } from '../../src-gateway/store/db.js'
import { type LogStore, sqliteLogStore } from '../../src-gateway/store/log-store.js'
import { createLogWriter } from '../../src-gateway/store/log-writer.js'
import { type PgLifecycle, pgLifecycle } from '../../src-gateway/store/pg/lifecycle.js'
import { pgLogStore } from '../../src-gateway/store/pg/log-store.js'
import { createPgLogWriter, pgTarget } from '../../src-gateway/store/pg/log-writer.js'
import { ReportService } from '../../src-gateway/store/report-service.js'
import { type PostgresServer, startPostgres } from './postgres-server.js'

/**
 * One database for a store test body: the data folder's SQLite (in memory here) or the shared Postgres (a throwaway
 * server per describe, opened through the gateway's own lifecycle, so its schema is the migrated one).
 */
export type DatabaseHandle =
  | { kind: 'sqlite'; db: Db; pg?: undefined }
  | { kind: 'postgres'; db?: undefined; pg: PgLifecycle }

export interface DatabaseBackend {
  readonly name: 'sqlite' | 'postgres'
  /** The database the stores under test use. */
  readonly handle: DatabaseHandle
  /**
   * A second connection to the same database, as another gateway instance has (its own pool on Postgres; the same
   * connection on SQLite, where one process owns the file). Closed with the backend.
   */
  another(): Promise<DatabaseHandle>
  /** The request log on this database, and a way to add rows through its own writer. */
  log(): LogStore
  /** Writes `events` through this database's own log writer (pricing, scrubbing, rollups, search) and waits for them. */
  addLogRows(events: LogEvent[], options?: { priceBook?: PriceBook; cipher?: BodyCipher }): Promise<void>
  /** Empties every table `tables` names, for the next test. */
  reset(tables: readonly string[]): Promise<void>
}

const quiet = () => undefined

async function openLifecycle(url: string): Promise<PgLifecycle> {
  const pg = pgLifecycle(url, new Alerts({}, { clock: Date.now, warn: quiet }), Date.now, quiet)
  await pg.open()
  return pg
}

/**
 * Runs `body` once per database, SQLite and Postgres, each in its own `describe` (named after the backend), so one
 * test body proves both stores answer alike (decision S6). The backend's fields are filled in before the first test
 * runs: read them inside tests and hooks. A Postgres that cannot start fails the tests, never skips them.
 */
export function forEachDatabase(name: string, body: (backend: DatabaseBackend) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${name} [${kind}]`, () => {
      let server: PostgresServer | undefined
      let handle: DatabaseHandle | undefined
      const extra: PgLifecycle[] = []
      let logStore: LogStore | undefined
      const backend: DatabaseBackend = {
        name: kind,
        get handle() {
          if (!handle) throw new Error(`the ${kind} database is not open yet`)
          return handle
        },
        async another() {
          if (handle?.kind === 'sqlite') return handle
          const pg = await openLifecycle(server!.url)
          extra.push(pg)
          return { kind: 'postgres', pg }
        },
        log() {
          const h = backend.handle
          logStore ??= h.kind === 'sqlite' ? sqliteLogStore(h.db, new ReportService(h.db)) : pgLogStore(h.pg.pool()!)
          return logStore
        },
        async addLogRows(events, options = {}) {
          const h = backend.handle
          if (h.kind === 'sqlite') {
            const writer = createLogWriter(h.db, { flushMs: 60_000, ...options })
            for (const e of events) writer.push(e)
            writer.flush()
            await writer.close()
            return
          }
          const writer = createPgLogWriter(pgTarget(h.pg.pool()!), { flushMs: 60_000, ...options })
          for (const e of events) writer.push(e)
          await writer.flush()
          await writer.close()
        },
        async reset(tables) {
          const h = backend.handle
          if (h.kind === 'sqlite') {
            h.db.pragma('foreign_keys = OFF')
            for (const t of tables) h.db.prepare(`DELETE FROM ${t}`).run()
            h.db.pragma('foreign_keys = ON')
          } else {
            await h.pg.pool()!.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`)
          }
        },
      }
      beforeAll(async () => {
        if (kind === 'sqlite') {
          handle = { kind, db: openDatabase(':memory:') }
          return
        }
        server = await startPostgres()
        handle = { kind, pg: await openLifecycle(server.url) }
      }, 60_000)
      afterAll(async () => {
        await logStore?.close()
        for (const pg of extra) await pg.close()
        if (handle?.kind === 'sqlite') handle.db.close()
        else await handle?.pg.close()
        await server?.stop()
      })
      body(backend)
    })
  }
}
