import type { SharedConfigBackend, StoreOutcome } from '../../config/shared-config.js'
import type { PgLifecycle } from './lifecycle.js'
import { channelName } from './notify.js'
import type { PgPool } from './pool.js'

/** The notifier channel of config changes; a notice's payload is the stored version. */
const CHANNEL = 'config'

/**
 * The shared config in Postgres (config `database`): the `switchyard_config` row (schema-config.ts), versions
 * from `switchyard_config_version`, announced by NOTIFY in the storing transaction (delivered at its commit, so no
 * instance reads a version before its document) and heard through the lifecycle's notifier.
 */
export function pgConfigBackend(
  pg: Pick<PgLifecycle, 'pool' | 'migrated' | 'onMigrated' | 'notifier'>,
): SharedConfigBackend {
  const ready = (): PgPool => {
    const pool = pg.pool()
    if (!pool || !pg.migrated()) throw new Error('Postgres is not reachable')
    return pool
  }
  const unsubscribe: (() => void)[] = []
  return {
    name: 'Postgres',
    available: () => pg.pool()?.available() === true && pg.migrated(),
    watch(heard) {
      return new Promise<void>((resolve) => {
        unsubscribe.push(
          pg.notifier.listen(CHANNEL, (payload) => {
            // '' after each connect of the listening connection: listening now, and whatever was missed is re-read.
            if (payload === '') resolve()
            heard(payload === '' ? 0 : Number(payload))
          }),
        )
      })
    },
    onUp(listener) {
      let stop: (() => void) | undefined
      let closed = false
      // The schema may be brought up to date only when Postgres first answers: that is an "up" too.
      pg.onMigrated(() => {
        if (closed) return
        listener()
        stop = pg.pool()?.onChange((up) => {
          if (up && pg.migrated()) listener()
        })
      })
      return () => {
        closed = true
        stop?.()
      }
    },
    async counter() {
      const rows = await ready().query<{ n: number }>(
        'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM switchyard_config_version',
      )
      return Number(rows[0]?.n ?? 0)
    },
    async nextVersion() {
      const rows = await ready().query<{ n: number }>("SELECT nextval('switchyard_config_version') AS n")
      return Number(rows[0].n)
    },
    store(version, document, seed) {
      return ready().transaction(async (client): Promise<StoreOutcome> => {
        const now = Date.now()
        const stored = seed
          ? await client.query(
              `INSERT INTO switchyard_config (id, version, seed, document, updated_at) VALUES (1, $1, 1, $2, $3)
               ON CONFLICT (id) DO NOTHING RETURNING version`,
              [version, document, now],
            )
          : await client.query(
              `INSERT INTO switchyard_config AS c (id, version, seed, document, updated_at) VALUES (1, $1, 0, $2, $3)
               ON CONFLICT (id) DO UPDATE SET version = excluded.version, seed = 0, document = excluded.document,
                 updated_at = excluded.updated_at
               WHERE c.version < excluded.version
               RETURNING version`,
              [version, document, now],
            )
        if (stored.rowCount === 1) {
          await client.query('SELECT pg_notify($1, $2)', [channelName(CHANNEL), String(version)])
          return 'stored'
        }
        if (seed) return 'older'
        // The newer row is locked by the upsert's conflict check until this transaction ends: read as it stands.
        const cur = await client.query<{ seed: number }>('SELECT seed FROM switchyard_config WHERE id = 1')
        return Number(cur.rows[0]?.seed) === 1 ? 'after-seed' : 'older'
      })
    },
    async read(maxBytes) {
      const rows = await ready().query<{ doc: Buffer }>(
        "SELECT substring(convert_to(document, 'UTF8') FROM 1 FOR $1) AS doc FROM switchyard_config WHERE id = 1",
        [maxBytes + 1],
      )
      return rows[0]?.doc ?? Buffer.alloc(0)
    },
    close() {
      for (const off of unsubscribe.splice(0)) off()
    },
  }
}
