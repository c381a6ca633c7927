import type { AccessRequest } from '../../src-shared/contract/portal.js'
import type { Db } from '../store/db.js'

/** An access_requests row: the same columns in SQLite and Postgres. */
export interface AccessRequestRow {
  id: string
  model: string
  key_name: string
  workspace: string
  reason: string
  status: AccessRequest['status']
  requester: string
  requester_name: string
  decided_by: string | null
  decided_by_name: string | null
  created_at: number
  decided_at: number | null
}

export interface AccessDecision {
  status: 'approved' | 'denied'
  decidedBy: string
  decidedByName: string
  at: number
}

/** The model portal's access requests (S1: SQLite and Postgres behind one interface). */
export interface AccessStore {
  get(id: string): Promise<AccessRequestRow | undefined>
  pendingOf(requester: string): Promise<number>
  insert(row: AccessRequestRow): Promise<void>
  /** Newest first; only `requester`'s when given. */
  list(limit: number, requester?: string): Promise<AccessRequestRow[]>
  /**
   * Decides a pending request: true for exactly one caller, whichever instance it is on, so two admins deciding at
   * once cannot both apply their decision.
   */
  decide(id: string, decision: AccessDecision): Promise<boolean>
  /** Puts a decided request back to pending (its decision could not be applied). */
  reopen(id: string): Promise<void>
}

export function sqliteAccessStore(db: Db): AccessStore {
  return {
    async get(id) {
      return db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id) as AccessRequestRow | undefined
    },
    async pendingOf(requester) {
      const { n } = db
        .prepare("SELECT count(*) AS n FROM access_requests WHERE requester = ? AND status = 'pending'")
        .get(requester) as { n: number }
      return n
    },
    async insert(row) {
      db.prepare(
        `INSERT INTO access_requests (id, model, key_name, workspace, reason, status, requester, requester_name,
           created_at) VALUES (@id, @model, @key_name, @workspace, @reason, @status, @requester, @requester_name,
           @created_at)`,
      ).run(row)
    },
    async list(limit, requester) {
      return (
        requester === undefined
          ? db.prepare('SELECT * FROM access_requests ORDER BY created_at DESC, id LIMIT ?').all(limit)
          : db
              .prepare('SELECT * FROM access_requests WHERE requester = ? ORDER BY created_at DESC, id LIMIT ?')
              .all(requester, limit)
      ) as AccessRequestRow[]
    },
    async decide(id, d) {
      return (
        db
          .prepare(
            "UPDATE access_requests SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
          )
          .run(d.status, d.decidedBy, d.decidedByName, d.at, id).changes > 0
      )
    },
    async reopen(id) {
      db.prepare(
        "UPDATE access_requests SET status = 'pending', decided_by = NULL, decided_by_name = NULL, decided_at = NULL WHERE id = ?",
      ).run(id)
    },
  }
}
