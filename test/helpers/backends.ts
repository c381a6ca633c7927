import { afterAll, beforeAll, describe } from 'vitest'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import type { PriceBook } from '../../src-gateway/pricing/price-book.js'
import type { BodyCipher } from '../../src-gateway/store/body-cipher.js'
import { type Db, openDatabase } from '../../src-gateway/store/db.js'
import { type LogStore, sqliteLogStore } from '../../src-gateway/store/log-store.js'
import { createLogWriter } from '../../src-gateway/store/log-writer.js'
import { pgLogStore } from '../../src-gateway/store/pg/log-store.js'
import { createPgLogWriter, pgTarget } from '../../src-gateway/store/pg/log-writer.js'
import { migratePg } from '../../src-gateway/store/pg/migrations.js'
import { openPgPool, type PgPool } from '../../src-gateway/store/pg/pool.js'
import { ReportService } from '../../src-gateway/store/report-service.js'
import { type PostgresServer, startPostgres } from './postgres-server.js'

export type BackendName = 'sqlite' | 'postgres'

/** One request log for a test body: a fresh store and a way to put rows in it the way the gateway does. */
export interface Backend {
  readonly name: BackendName
  /** The store under test (what `gw.logStore` is with this backend). */
  readonly store: LogStore
  /** Writes `events` through this backend's own log writer (pricing, scrubbing, rollups, search) and waits for them. */
  add(events: LogEvent[], options?: { priceBook?: PriceBook; cipher?: BodyCipher }): Promise<void>
  /** Empties the log (rows and rollups) for the next test. */
  reset(): Promise<void>
}

/** The SQLite side: an in-memory database, whose reports run in-process (ReportService does for `:memory:`). */
function sqliteBackend(): Backend & { close(): Promise<void> } {
  let db: Db = openDatabase(':memory:')
  let store = sqliteLogStore(db, new ReportService(db))
  return {
    name: 'sqlite',
    get store() {
      return store
    },
    async add(events, options = {}) {
      const writer = createLogWriter(db, { flushMs: 60_000, ...options })
      for (const e of events) writer.push(e)
      writer.flush()
      await writer.close()
    },
    async reset() {
      await store.close()
      db.close()
      db = openDatabase(':memory:')
      store = sqliteLogStore(db, new ReportService(db))
    },
    async close() {
      await store.close()
      db.close()
    },
  }
}

/** The Postgres side: a throwaway server for the file, migrated, its tables emptied between tests. */
async function postgresBackend(): Promise<Backend & { close(): Promise<void> }> {
  const server: PostgresServer = await startPostgres()
  let pool: PgPool | undefined
  try {
    pool = await openPgPool(server.url)
    await migratePg(pool)
  } catch (err) {
    await pool?.close()
    await server.stop()
    throw err
  }
  const db = pool
  const store = pgLogStore(db)
  return {
    name: 'postgres',
    store,
    async add(events, options = {}) {
      const writer = createPgLogWriter(pgTarget(db), { flushMs: 60_000, ...options })
      for (const e of events) writer.push(e)
      await writer.flush()
      await writer.close()
    },
    async reset() {
      await db.query(
        'TRUNCATE request_logs, log_rollup_hours, log_rollup_days, log_rollup_guardrails, log_rollup_redactions',
      )
    },
    async close() {
      await store.close()
      await db.close()
      await server.stop()
    },
  }
}

/**
 * Runs `body` once per log backend, SQLite and Postgres, each in its own `describe` (named after the backend), so
 * one test body proves both answer alike (decision P5). `backend` is filled in before the first test runs: read its
 * fields inside tests and hooks, not while the describe is being collected. Postgres starts once per describe
 * (~3 s); a server that cannot start fails the tests, never skips them.
 */
export function forEachBackend(name: string, body: (backend: Backend) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${name} [${kind}]`, () => {
      let current: (Backend & { close(): Promise<void> }) | undefined
      const handle: Backend = {
        name: kind,
        get store() {
          if (!current) throw new Error(`the ${kind} backend is not started yet`)
          return current.store
        },
        add: (events, options) => current!.add(events, options),
        reset: () => current!.reset(),
      }
      beforeAll(async () => {
        current = kind === 'sqlite' ? sqliteBackend() : await postgresBackend()
      }, 60_000)
      afterAll(async () => {
        await current?.close()
      })
      body(handle)
    })
  }
}
