import { beforeEach } from 'vitest'
import { type DatabaseBackend, type DatabaseHandle, forEachDatabase } from './database-backends.js'

/**
 * A store test's whole setup on both databases: `body` runs per database (forEachDatabase), and before each test
 * the `tables` are emptied and a fresh store is opened on them; `store()` is that test's.
 */
export function forEachStore<S>(
  name: string,
  tables: readonly string[],
  open: (handle: DatabaseHandle) => S,
  body: (store: () => S, side: DatabaseBackend) => void,
): void {
  forEachDatabase(name, (side) => {
    let current: S | undefined
    beforeEach(async () => {
      await side.reset(tables)
      current = open(side.handle)
    })
    body(() => {
      if (current === undefined) throw new Error(`the ${name} is opened before each test: read it inside one`)
      return current
    }, side)
  })
}

/** An ISO time on a fixed day, `minute` minutes past noon UTC: stored times that sort as the minutes do. */
export const minuteAt = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString()
