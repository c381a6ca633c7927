import {
  ALERT_COLUMNS,
  ALERT_INSERT_COLUMNS,
  type AlertRecord,
  type AlertRow,
  type AlertStore,
  alertFromRow,
  alertInsertValues,
} from '../../alerts/alert-store.js'
import type { PgLifecycle } from './lifecycle.js'
import type { PgPool } from './pool.js'
import { withPool } from './ready-pool.js'

/**
 * Alerts in the database every instance shares (config `database`). `insert` relies on the UNIQUE dedupe key
 * (ON CONFLICT DO NOTHING): of two instances raising one occasion at once, one stores it and gets the row (and
 * sends its webhook), the other gets undefined. `pg` is a getter because the gateway's Postgres lifecycle reports
 * its outages as alerts, so the Alerts (and this store) exist before it.
 */
export function pgAlertStore(pg: () => PgLifecycle | undefined): AlertStore {
  const use = <T>(fn: (pool: PgPool) => Promise<T>) => withPool(pg(), 'the alerts', fn)
  return {
    async insert(a, createdAt) {
      const rows = await use((p) =>
        p.query<AlertRow>(
          `INSERT INTO alerts (${ALERT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING ${ALERT_COLUMNS}`,
          alertInsertValues(a, createdAt),
        ),
      )
      return rows[0] && alertFromRow(rows[0])
    },
    async list({ limit, cursor, open, kind, workspaces }) {
      const where = [open ? 'acknowledged_at IS NULL' : 'true']
      const params: unknown[] = []
      if (kind !== undefined) {
        params.push(kind)
        where.push(`kind = $${params.length}`)
      }
      if (workspaces !== undefined) {
        params.push([...workspaces])
        where.push(`workspace = ANY($${params.length}::text[])`)
      }
      const filter = where.join(' AND ')
      const keyset = cursor === undefined ? '' : ` AND id < $${params.length + 1}`
      const page = [...params, ...(cursor === undefined ? [] : [cursor]), limit + 1]
      const [[{ n: total }], rows] = await use((p) =>
        Promise.all([
          p.query<{ n: number }>(`SELECT count(*) AS n FROM alerts WHERE ${filter}`, params),
          p.query<AlertRow>(
            `SELECT ${ALERT_COLUMNS} FROM alerts WHERE ${filter}${keyset} ORDER BY id DESC LIMIT $${page.length}`,
            page,
          ),
        ]),
      )
      const items = rows.slice(0, limit).map(alertFromRow)
      return { items, total, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null }
    },
    async ack(id, at, workspaces): Promise<AlertRecord | undefined> {
      // One statement: of two instances acknowledging at once, the first time stays (COALESCE under the row lock).
      const rows = await use((p) =>
        p.query<AlertRow>(
          `UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, $1)
         WHERE id = $2 AND ($3::text[] IS NULL OR workspace = ANY($3::text[])) RETURNING ${ALERT_COLUMNS}`,
          [at, id, workspaces === undefined ? null : [...workspaces]],
        ),
      )
      return rows[0] && alertFromRow(rows[0])
    },
    async dedupeKeysSince(iso) {
      const rows = await use((p) =>
        p.query<{ dedupe_key: string }>('SELECT dedupe_key FROM alerts WHERE created_at >= $1', [iso]),
      )
      return rows.map((r) => r.dedupe_key)
    },
  }
}
