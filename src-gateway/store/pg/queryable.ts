import type { PoolClient, QueryResultRow } from 'pg'
import type { PgPool } from './pool.js'

/** What the stores' queries run on: the pool, or one transaction's connection. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>
}

/** A transaction's connection as a Queryable (rows only, as the pool answers). */
export function onClient(client: PoolClient): Queryable {
  return {
    async query<R extends QueryResultRow>(text: string, values?: unknown[]) {
      return (await client.query<R>(text, values)).rows
    },
  }
}

/** Runs `fn` in one transaction of `pool`, its queries on that transaction's connection. */
export function inTransaction<T>(pool: PgPool, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return pool.transaction((client) => fn(onClient(client)))
}

/** The first row, if any. */
export async function firstRow<R extends QueryResultRow>(
  q: Queryable,
  text: string,
  values?: unknown[],
): Promise<R | undefined> {
  return (await q.query<R>(text, values))[0]
}
