import {
  AUDIT_INSERT_COLUMNS,
  type AuditFilter,
  type AuditRow,
  type AuditStore,
  auditFromRow,
  auditInsertValues,
  likeEscape,
} from '../../audit/audit-store.js'
import type { PgLifecycle } from './lifecycle.js'
import type { PgPool } from './pool.js'
import { withPool } from './ready-pool.js'

/** SQLite's `where` (audit/audit-store.ts) in Postgres: ILIKE, since SQLite's LIKE ignores ASCII case. */
function where(f: AuditFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = []
  const params: unknown[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (f.action) clauses.push(`(action = ${p(f.action)} OR action ILIKE ${p(`${likeEscape(f.action)}.%`)} ESCAPE '\\')`)
  if (f.actor) clauses.push(`actor = ${p(f.actor)}`)
  if (f.target) clauses.push(`target = ${p(f.target)}`)
  if (f.since) clauses.push(`created_at >= ${p(f.since)}`)
  if (f.until) clauses.push(`created_at < ${p(f.until)}`)
  if (f.q) {
    const like = p(`%${likeEscape(f.q)}%`)
    const cols = ['action', 'target', 'actor', 'actor_name', 'remote_address', 'user_agent', 'diff_json']
    clauses.push(`(${cols.map((c) => `${c} ILIKE ${like} ESCAPE '\\'`).join(' OR ')})`)
  }
  if (f.visibleTo !== undefined) {
    clauses.push(
      `EXISTS (SELECT 1 FROM json_array_elements_text(audit_log.workspaces::json) AS w(value)
               WHERE w.value = '*' OR w.value = ANY(${p([...f.visibleTo])}::text[]))`,
    )
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

/**
 * The audit trail in the database every instance shares (config `database`): one list of every instance's entries,
 * newest first by the shared identity (the order the instances wrote them). Credential values never reach it: the
 * audit log scrubs them from each diff before the insert, on either backend.
 */
export function pgAuditStore(pg: PgLifecycle): AuditStore {
  const use = <T>(fn: (pool: PgPool) => Promise<T>) => withPool(pg, 'the audit trail', fn)
  return {
    async insert(e) {
      const [row] = await use((p) =>
        p.query<{ id: number }>(
          `INSERT INTO audit_log (${AUDIT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
          auditInsertValues(e),
        ),
      )
      return row.id
    },
    async list(filter, { limit, cursor }) {
      const w = where(filter)
      const keyset = cursor === undefined ? '' : `${w.sql ? ' AND' : 'WHERE'} id < $${w.params.length + 1}`
      const page = [...w.params, ...(cursor === undefined ? [] : [cursor]), limit + 1]
      const [[{ n: total }], rows] = await use((p) =>
        Promise.all([
          p.query<{ n: number }>(`SELECT count(*) AS n FROM audit_log ${w.sql}`, w.params),
          p.query<AuditRow>(`SELECT * FROM audit_log ${w.sql}${keyset} ORDER BY id DESC LIMIT $${page.length}`, page),
        ]),
      )
      const items = rows.slice(0, limit).map(auditFromRow)
      return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
    },
    async amend(id, diff) {
      await use((p) => p.query('UPDATE audit_log SET diff_json = $1 WHERE id = $2', [JSON.stringify(diff), id]))
    },
  }
}
