import type { AuditEntry } from '../../src-shared/contract/audit.js'
import type { Db } from '../store/db.js'

/** Who made an admin change: the credential's identity, and where the call came from. */
export interface AuditActor {
  /** `admin-token` or `session` (the admin token's owner), `person:<id>` or `service:<id>` (team mode). */
  actor: string
  actorName?: string
  remoteAddress: string | null
  userAgent: string | null
}

/** One recorded admin change, as GET /admin/v1/audit lists it (stated by the admin contract). */
export type { AuditEntry }

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'createdAt'> & {
  createdAt?: string
  /**
   * The workspaces whose members may read it (`*`: all, for config shared with every workspace); absent or empty:
   * owners and admins only (members, service accounts, settings, backups, sign-ins).
   */
  workspaces?: readonly string[]
}

export interface AuditFilter {
  /** `key.rotate` matches that action; `key` matches every `key.*` action. */
  action?: string
  actor?: string
  target?: string
  /** ISO times: `since` inclusive, `until` exclusive. */
  since?: string
  until?: string
  /** Text anywhere in the action, target, actor, address, user agent or diff. */
  q?: string
  /** Only entries members of these workspaces may read (a member's view); undefined: every entry. */
  visibleTo?: readonly string[]
}

/** The audit trail, in the data folder's SQLite or in the Postgres several instances share (config `database`). */
export interface AuditStore {
  /** Writes one entry; its id. */
  insert(e: NewAuditEntry): Promise<number>
  /** Entries matching `filter`, newest first, in pages keyed by id (`cursor` is the last id seen). */
  list(filter: AuditFilter, page: { limit: number; cursor?: number }): Promise<AuditPage>
  /** Replaces one entry's diff: an aggregated entry (repeated failed sign-ins) counts up in place. */
  amend(id: number, diff: AuditEntry['diff']): Promise<void>
}

export interface AuditPage {
  items: AuditEntry[]
  total: number
  nextCursor: string | null
}

/** An `audit_log` row, as both databases return it (same columns: store/migrations.ts, pg/schema-alerts-audit.ts). */
export interface AuditRow {
  id: number
  created_at: string
  actor: string
  actor_name: string | null
  remote_address: string | null
  user_agent: string | null
  action: string
  target: string | null
  request_id: string | null
  diff_json: string
}

export const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id,
  createdAt: r.created_at,
  actor: r.actor,
  ...(r.actor_name === null ? {} : { actorName: r.actor_name }),
  remoteAddress: r.remote_address,
  userAgent: r.user_agent,
  action: r.action,
  target: r.target,
  requestId: r.request_id,
  diff: JSON.parse(r.diff_json),
})

export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

function where(f: AuditFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = []
  const params: unknown[] = []
  if (f.action) {
    clauses.push("(action = ? OR action LIKE ? ESCAPE '\\')")
    params.push(f.action, `${likeEscape(f.action)}.%`)
  }
  if (f.actor) {
    clauses.push('actor = ?')
    params.push(f.actor)
  }
  if (f.target) {
    clauses.push('target = ?')
    params.push(f.target)
  }
  if (f.since) {
    clauses.push('created_at >= ?')
    params.push(f.since)
  }
  if (f.until) {
    clauses.push('created_at < ?')
    params.push(f.until)
  }
  if (f.q) {
    const like = `%${likeEscape(f.q)}%`
    const cols = ['action', 'target', 'actor', 'actor_name', 'remote_address', 'user_agent', 'diff_json']
    clauses.push(`(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`)
    params.push(...cols.map(() => like))
  }
  if (f.visibleTo !== undefined) {
    clauses.push(
      `EXISTS (SELECT 1 FROM json_each(audit_log.workspaces) AS w
               WHERE w.value = '*' OR w.value IN (SELECT value FROM json_each(?)))`,
    )
    params.push(JSON.stringify(f.visibleTo))
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

/** The stored form of an entry's workspaces: NULL for none, `["*"]` when shared with all, else sorted and unique. */
export function workspacesColumn(list: readonly string[] | undefined): string | null {
  if (!list || list.length === 0) return null
  return JSON.stringify(list.includes('*') ? ['*'] : [...new Set(list)].sort())
}

/** The columns an entry is written to, in auditInsertValues' order (the same on both databases). */
export const AUDIT_INSERT_COLUMNS =
  'created_at, actor, actor_name, remote_address, user_agent, action, target, request_id, diff_json, workspaces'

/** An entry's row values, in AUDIT_INSERT_COLUMNS' order: auditFromRow's inverse, for either database. */
export const auditInsertValues = (e: NewAuditEntry) => [
  e.createdAt ?? new Date().toISOString(),
  e.actor,
  e.actorName ?? null,
  e.remoteAddress,
  e.userAgent,
  e.action,
  e.target,
  e.requestId,
  JSON.stringify(e.diff),
  workspacesColumn(e.workspaces),
]

/** Writes one entry; a small synchronous insert, made only on admin calls that changed something. */
export function insertAudit(db: Db, e: NewAuditEntry): number {
  const { lastInsertRowid } = db
    .prepare(`INSERT INTO audit_log (${AUDIT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(...auditInsertValues(e))
  return Number(lastInsertRowid)
}

/** Entries matching `filter`, newest first, in pages keyed by id (`cursor` is the last id seen). */
export function listAudit(
  db: Db,
  filter: AuditFilter,
  { limit, cursor }: { limit: number; cursor?: number },
): AuditPage {
  const w = where(filter)
  const { n: total } = db.prepare(`SELECT count(*) AS n FROM audit_log ${w.sql}`).get(...w.params) as { n: number }
  const keyset = cursor === undefined ? '' : `${w.sql ? ' AND' : 'WHERE'} id < ?`
  const rows = db
    .prepare(`SELECT * FROM audit_log ${w.sql}${keyset} ORDER BY id DESC LIMIT ?`)
    .all(...w.params, ...(cursor === undefined ? [] : [cursor]), limit + 1) as AuditRow[]
  const items = rows.slice(0, limit).map(auditFromRow)
  return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
}

/** Replaces one entry's diff: an aggregated entry (repeated failed sign-ins) counts up in place. */
export function amendAudit(db: Db, id: number, diff: AuditEntry['diff']): void {
  db.prepare('UPDATE audit_log SET diff_json = ? WHERE id = ?').run(JSON.stringify(diff), id)
}

/** Today's SQLite functions behind the AuditStore interface: each runs at once, on the gateway's connection. */
export function sqliteAuditStore(db: Db): AuditStore {
  return {
    // The database closes with the gateway: a call answered after that records nothing (id 0), as it always has.
    insert: async (e) => (db.open ? insertAudit(db, e) : 0),
    list: async (filter, page) => listAudit(db, filter, page),
    amend: async (id, diff) => {
      if (db.open) amendAudit(db, id, diff)
    },
  }
}
