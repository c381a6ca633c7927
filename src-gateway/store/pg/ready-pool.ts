import { DatabaseUnavailableError } from '../../core/database-unavailable.js'
import type { PgLifecycle } from './lifecycle.js'
import type { PgPool } from './pool.js'

/**
 * The shared database's pool for a store's query, taken at each use: before the gateway opened it, or while its
 * schema is not migrated yet, the store's caller gets DatabaseUnavailableError (503) instead of a missing table.
 * `what` names the data in that answer ("the audit trail").
 */
export function readyPool(pg: Pick<PgLifecycle, 'pool' | 'migrated'> | undefined, what: string): PgPool {
  const pool = pg?.pool()
  if (!pool || !pg?.migrated()) throw new DatabaseUnavailableError(what)
  return pool
}

/**
 * Runs `fn` on the ready pool (readyPool); a query that fails because the database went away meanwhile (the pool
 * reports it unreachable) is DatabaseUnavailableError too, not a 500. Other errors (a constraint) go through as
 * they are.
 */
export async function withPool<T>(
  pg: Pick<PgLifecycle, 'pool' | 'migrated'> | undefined,
  what: string,
  fn: (pool: PgPool) => Promise<T>,
) {
  const pool = readyPool(pg, what)
  try {
    return await fn(pool)
  } catch (err) {
    if (!pool.available()) throw new DatabaseUnavailableError(what)
    throw err
  }
}
