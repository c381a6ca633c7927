import type { AlertItem, AlertKind, AlertLevel } from '../../src-shared/contract/alerts.js'
import type { Db } from '../store/db.js'

export type { AlertKind, AlertLevel }

/** An alert to raise. `dedupeKey` names the occasion (key, period, threshold…): one alert per occasion, ever. */
export interface NewAlert {
  kind: AlertKind
  level: AlertLevel
  keyName?: string
  /** The workspace it is about: its key's, or the one whose budget it is. None: gateway-wide (admins only). */
  workspace?: string
  message: string
  details: Record<string, unknown>
  dedupeKey: string
}

/** An alert as stored and served by GET /admin/v1/alerts (stated by the admin contract). */
export type AlertRecord = AlertItem

export interface AlertPage {
  items: AlertRecord[]
  total: number
  nextCursor: string | null
}

export interface AlertQuery {
  limit: number
  /** Only alerts with a smaller id (the previous page's `nextCursor`). */
  cursor?: number
  /** Only alerts nobody has acknowledged. */
  open?: boolean
  /** Only alerts of this kind (Keys & Policies → Budgets lists the budget ones). */
  kind?: AlertKind
  /** Only alerts of these workspaces (a member's); undefined: every alert, gateway-wide ones too. */
  workspaces?: readonly string[]
}

/**
 * Where alerts are kept: the data folder's SQLite (sqliteAlertStore), the Postgres several instances share (config
 * `database`, store/pg/alert-store.ts), or memory. Each is asynchronous so the shared one can be; the dedupe key is
 * UNIQUE in both databases, so an occasion two instances raise at once is stored (and sent) once.
 */
export interface AlertStore {
  /** Stores a new alert; undefined when one with its dedupe key exists already (raised here or elsewhere). */
  insert(alert: NewAlert, createdAt: string): Promise<AlertRecord | undefined>
  /** Newest first. */
  list(q: AlertQuery): Promise<AlertPage>
  /**
   * Marks an alert acknowledged (keeping the first acknowledgement); undefined when there is no such alert,
   * or it is not of `workspaces` (when given).
   */
  ack(id: number, at: string, workspaces?: readonly string[]): Promise<AlertRecord | undefined>
  /** Dedupe keys of alerts raised since `iso`, so a restart does not raise them again. */
  dedupeKeysSince(iso: string): Promise<string[]>
}

/** An `alerts` row, as both databases return it (same columns: store/migrations.ts, store/pg/schema-alerts-audit.ts). */
export interface AlertRow {
  id: number
  created_at: string
  kind: AlertKind
  level: AlertLevel
  key_name: string | null
  workspace: string | null
  message: string
  details_json: string | null
  acknowledged_at: string | null
}

export const alertFromRow = (r: AlertRow): AlertRecord => ({
  id: r.id,
  createdAt: r.created_at,
  kind: r.kind,
  level: r.level,
  keyName: r.key_name,
  ...(r.workspace === null ? {} : { workspace: r.workspace }),
  message: r.message,
  details: r.details_json ? JSON.parse(r.details_json) : {},
  acknowledgedAt: r.acknowledged_at,
})

export const ALERT_COLUMNS = 'id, created_at, kind, level, key_name, workspace, message, details_json, acknowledged_at'

/** The columns a new alert is written to, in alertInsertValues' order (the same on both databases). */
export const ALERT_INSERT_COLUMNS = 'created_at, kind, level, key_name, workspace, message, details_json, dedupe_key'

/** A new alert's row values, in ALERT_INSERT_COLUMNS' order: alertFromRow's inverse, for either database. */
export const alertInsertValues = (a: NewAlert, createdAt: string) => [
  createdAt,
  a.kind,
  a.level,
  a.keyName ?? null,
  a.workspace ?? null,
  a.message,
  JSON.stringify(a.details),
  a.dedupeKey,
]

/** Whether an alert is one of `workspaces` (undefined: every alert is). A gateway-wide alert is in no list. */
const inWorkspaces = (a: AlertRecord, workspaces: readonly string[] | undefined) =>
  workspaces === undefined || (a.workspace !== undefined && workspaces.includes(a.workspace))

/** Alerts in the `alerts` table; the UNIQUE dedupe key makes "once per occasion" hold across restarts. */
export function sqliteAlertStore(db: Db): AlertStore {
  const insert = db.prepare(`INSERT OR IGNORE INTO alerts (${ALERT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  const byId = db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`)
  const ack = db.prepare('UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?')
  const keys = db.prepare('SELECT dedupe_key FROM alerts WHERE created_at >= ?').pluck()
  const get = (id: number | bigint) => {
    const row = byId.get(id) as AlertRow | undefined
    return row && alertFromRow(row)
  }
  return {
    async insert(a, createdAt) {
      const r = insert.run(...alertInsertValues(a, createdAt))
      return r.changes === 0 ? undefined : get(r.lastInsertRowid)
    },
    async list({ limit, cursor, open, kind, workspaces }) {
      const where = [open ? 'acknowledged_at IS NULL' : '1']
      const params: (number | string)[] = []
      if (kind !== undefined) {
        where.push('kind = ?')
        params.push(kind)
      }
      if (workspaces !== undefined) {
        where.push(`workspace IN (${workspaces.map(() => '?').join(', ')})`)
        params.push(...workspaces)
      }
      const filter = where.join(' AND ')
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM alerts WHERE ${filter}`).get(...params) as { n: number }).n
      if (cursor !== undefined) {
        where.push('id < ?')
        params.push(cursor)
      }
      const rows = db
        .prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
        .all(...params, limit + 1) as AlertRow[]
      const items = rows.slice(0, limit).map(alertFromRow)
      return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
    },
    async ack(id, at, workspaces) {
      const found = get(id)
      if (!found || !inWorkspaces(found, workspaces)) return undefined
      ack.run(at, id)
      return get(id)
    },
    dedupeKeysSince: async (iso) => keys.all(iso) as string[],
  }
}

/** Alerts in memory, for a gateway without a data dir: the newest `max` are kept. */
export function memoryAlertStore(max = 1000): AlertStore {
  let rows: (AlertRecord & { dedupeKey: string })[] = []
  let nextId = 1
  return {
    async insert(a, createdAt) {
      if (rows.some((r) => r.dedupeKey === a.dedupeKey)) return undefined
      const { dedupeKey, keyName, workspace, ...rest } = a
      const rec = {
        ...rest,
        ...(workspace === undefined ? {} : { workspace }),
        id: nextId++,
        createdAt,
        keyName: keyName ?? null,
        acknowledgedAt: null,
        dedupeKey,
      }
      rows = [...rows.slice(-(max - 1)), rec]
      const { dedupeKey: _k, ...out } = rec
      return out
    },
    async list({ limit, cursor, open, kind, workspaces }) {
      const matching = rows
        .filter(
          (r) =>
            (!open || r.acknowledgedAt === null) &&
            (kind === undefined || r.kind === kind) &&
            inWorkspaces(r, workspaces),
        )
        .reverse()
      const page = matching.filter((r) => cursor === undefined || r.id < cursor)
      const items = page.slice(0, limit).map(({ dedupeKey: _k, ...r }) => r)
      return {
        items,
        total: matching.length,
        nextCursor: page.length > limit ? String(items[items.length - 1].id) : null,
      }
    },
    async ack(id, at, workspaces) {
      const r = rows.find((x) => x.id === id)
      if (!r || !inWorkspaces(r, workspaces)) return undefined
      r.acknowledgedAt ??= at
      const { dedupeKey: _k, ...out } = r
      return out
    },
    dedupeKeysSince: async (iso) => rows.filter((r) => r.createdAt >= iso).map((r) => r.dedupeKey),
  }
}
