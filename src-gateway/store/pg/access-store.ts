import type { AccessRequestRow, AccessStore } from '../../portal/access-store.js'
import type { PgLifecycle } from './lifecycle.js'
import type { PgPool } from './pool.js'
import { withPool } from './ready-pool.js'

/**
 * The model portal's access requests in Postgres: read and written directly (admin and portal pages only, never a
 * model call). A decision is one conditional UPDATE, so of two admins deciding one request on two instances, one
 * wins and the other is told it is decided already.
 */
export function pgAccessStore(pg: Pick<PgLifecycle, 'pool' | 'migrated'>): AccessStore {
  const use = <T>(fn: (pool: PgPool) => Promise<T>) => withPool(pg, 'access requests', fn)
  return {
    async get(id) {
      return (await use((p) => p.query<AccessRequestRow>('SELECT * FROM access_requests WHERE id = $1', [id])))[0]
    },
    async pendingOf(requester) {
      const [{ n }] = await use((p) =>
        p.query<{ n: number }>(
          "SELECT count(*) AS n FROM access_requests WHERE requester = $1 AND status = 'pending'",
          [requester],
        ),
      )
      return n
    },
    async insert(r) {
      await use((p) =>
        p.query(
          `INSERT INTO access_requests (id, model, key_name, workspace, reason, status, requester, requester_name,
           created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [r.id, r.model, r.key_name, r.workspace, r.reason, r.status, r.requester, r.requester_name, r.created_at],
        ),
      )
    },
    async list(limit, requester) {
      // COLLATE "C": ids tie-break in byte order, as SQLite's BINARY collation does.
      return use((p) =>
        requester === undefined
          ? p.query<AccessRequestRow>(
              'SELECT * FROM access_requests ORDER BY created_at DESC, id COLLATE "C" LIMIT $1',
              [limit],
            )
          : p.query<AccessRequestRow>(
              'SELECT * FROM access_requests WHERE requester = $1 ORDER BY created_at DESC, id COLLATE "C" LIMIT $2',
              [requester, limit],
            ),
      )
    },
    async decide(id, d) {
      const rows = await use((p) =>
        p.query(
          `UPDATE access_requests SET status = $1, decided_by = $2, decided_by_name = $3, decided_at = $4
         WHERE id = $5 AND status = 'pending' RETURNING id`,
          [d.status, d.decidedBy, d.decidedByName, d.at, id],
        ),
      )
      return rows.length > 0
    },
    async reopen(id) {
      await use((p) =>
        p.query(
          "UPDATE access_requests SET status = 'pending', decided_by = NULL, decided_by_name = NULL, decided_at = NULL WHERE id = $1",
          [id],
        ),
      )
    },
  }
}
