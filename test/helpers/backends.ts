import type { LogEvent } from '../../src-gateway/core/log-event.js'
import type { LogStore } from '../../src-gateway/store/log-store.js'
import { type DatabaseBackend, forEachDatabase } from './database-backends.js'

export type BackendName = DatabaseBackend['name']

/** One request log for a test body: the store and a way to put rows in it the way the gateway does. */
export interface Backend {
  readonly name: BackendName
  /** The store under test (what `gw.logStore` is with this backend). */
  readonly store: LogStore
  /** Writes `events` through this backend's own log writer (pricing, scrubbing, rollups, search) and waits for them. */
  add: DatabaseBackend['addLogRows']
}

/**
 * Runs `body` once per log backend, SQLite and Postgres (decision P5), through `forEachDatabase`: the request-log view
 * of the same databases the other stores' tests use. `backend` is filled in before the first test runs: read its
 * fields inside tests and hooks, not while the describe is being collected.
 */
export function forEachBackend(name: string, body: (backend: Backend) => void): void {
  forEachDatabase(name, (database) =>
    body({
      name: database.name,
      get store() {
        return database.log()
      },
      add: (events: LogEvent[], options) => database.addLogRows(events, options),
    }),
  )
}
