import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { PoolClient } from 'pg'
import type { LoadedConfig } from '../config/load.js'
import { defaultSecretStore, type SecretStore, SecretStoreError } from '../config/secrets.js'
import { sealedConfigDocument } from '../config/shared-config.js'
import type { Db } from '../store/db.js'
import { COLUMNS } from '../store/log-writer.js'
import { pgConfigBackend } from '../store/pg/config-store.js'
import { rollUpRows } from '../store/pg/log-writer.js'
import { migratePg } from '../store/pg/migrations.js'
import { pgNotifier } from '../store/pg/notify.js'
import type { PgPool } from '../store/pg/pool.js'
import type { RollupLine } from '../store/rollups.js'
import { bodyText } from '../store/search-index.js'
import { passphraseTotpCipher, totpCipher } from '../team/totp-cipher.js'

/**
 * SQLite tables that are not copied, and why: what the copy rebuilds from the rows it carries, and what belongs to
 * one instance. Every other table is copied when the target's schema has it, and reported skipped when not.
 */
const NOT_COPIED: Record<string, string> = {
  request_log_bodies: 'carried with request_logs',
  request_logs_fts: 'search is rebuilt from the rows',
  request_logs_fts_data: 'search is rebuilt from the rows',
  request_logs_fts_idx: 'search is rebuilt from the rows',
  request_logs_fts_docsize: 'search is rebuilt from the rows',
  request_logs_fts_config: 'search is rebuilt from the rows',
  log_rollup_minutes: 'rollups are recomputed from the rows',
  log_rollup_hours: 'rollups are recomputed from the rows',
  log_rollup_days: 'rollups are recomputed from the rows',
  log_rollup_guardrails: 'rollups are recomputed from the rows',
  log_rollup_redactions: 'rollups are recomputed from the rows',
  log_rollup_state: 'rollups are recomputed from the rows',
  cache_entries: "each instance's cache (shared through redis), refilled by calls",
}
/** What the request log's copy fills besides request_logs: emptied with it by --force. */
const ROLLUP_TABLES = ['log_rollup_hours', 'log_rollup_days', 'log_rollup_guardrails', 'log_rollup_redactions']
/** Rows per INSERT, and the JSON text past which a batch is sent sooner (bodies can be large). */
const BATCH_ROWS = 500
const BATCH_BYTES = 8 * 1024 * 1024

export type TableOutcome =
  | { table: string; copied: number }
  | { table: string; skipped: string }
  | { table: string; failed: string }

export interface MigrateReport {
  /** The config document's version in the target, or why it was not stored. */
  config: { version: number } | { failed: string }
  tables: TableOutcome[]
}

export class MigrateRefusal extends Error {}

export interface MigrateOptions {
  /** The source: an open SQLite database of a data folder no gateway holds. */
  db: Db
  dataDir: string
  config: LoadedConfig
  pool: PgPool
  /** SWITCHYARD_SECRET_KEY: seals the config's credentials in the target as the gateways will read them. */
  passphrase: string
  /** Empty the target's tables this copy fills first (a re-run replaces, never doubles). */
  force: boolean
  env: NodeJS.ProcessEnv
  /** One line per table as it is done. */
  progress?: (line: string) => void
}

/**
 * The source's secret store, sealed either with SWITCHYARD_SECRET_KEY or with the data folder's generated key (a
 * desktop install): `migrate` needs the key in its environment for the target, which must not stop it from
 * opening a store sealed the other way.
 */
export function sourceSecrets(dataDir: string, env: NodeJS.ProcessEnv): SecretStore {
  try {
    return defaultSecretStore(dataDir, env)
  } catch (err) {
    if (!(err instanceof SecretStoreError) || !existsSync(join(dataDir, 'secret-key'))) throw err
    const { SWITCHYARD_SECRET_KEY: _key, ...without } = env
    return defaultSecretStore(dataDir, without)
  }
}

/** Postgres text holds no NUL; a Buffer goes as bytea's hex text (json_populate_record reads it so). */
function jsonValue(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\u0000') ? v.replaceAll('\u0000', '') : v
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`
  if (typeof v === 'bigint') return Number(v)
  return v
}

interface PgColumn {
  name: string
  type: string
  identity: boolean
}

async function pgColumns(pool: PgPool, table: string): Promise<PgColumn[]> {
  const rows = await pool.query<{ name: string; type: string; identity: string }>(
    `SELECT column_name AS name, data_type AS type, is_identity AS identity FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  )
  return rows.map((r) => ({ name: r.name, type: r.type, identity: r.identity === 'YES' }))
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Per table and column, a value the target must hold differently from the source. */
type Resealers = Record<string, Record<string, (value: unknown) => unknown>>

/**
 * Columns sealed with a key that stays behind in the source's secret store: opened with it and sealed as the
 * gateways on Postgres open them. TOTP secrets (team/totp-cipher.ts): there under the store's `team:totp-key`,
 * here under SWITCHYARD_SECRET_KEY. A secret that does not open fails the table rather than copying a dead one.
 */
function resealers(secrets: SecretStore, passphrase: string): Resealers {
  const from = totpCipher(() => secrets)
  const to = passphraseTotpCipher(passphrase)
  const totp = (v: unknown) => (typeof v === 'string' && v !== '' ? to.seal(from.open(v)) : v)
  return { team_accounts: { totp_secret: totp, totp_pending: totp } }
}

/** Sends rows in batches bounded by count and size; `send` gets each batch's JSON array text. */
async function inBatches<T>(
  rows: Iterable<T>,
  encode: (row: T) => string,
  send: (json: string) => Promise<void>,
): Promise<number> {
  let parts: string[] = []
  let bytes = 0
  let total = 0
  const flush = async () => {
    if (parts.length === 0) return
    await send(`[${parts.join(',')}]`)
    total += parts.length
    parts = []
    bytes = 0
  }
  for (const row of rows) {
    const text = encode(row)
    parts.push(text)
    bytes += text.length
    if (parts.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush()
  }
  await flush()
  return total
}

/** Moves each identity past the ids copied in, so the gateways' next rows do not collide with them. */
async function advanceIdentities(client: PoolClient, table: string, columns: PgColumn[]): Promise<void> {
  for (const c of columns.filter((col) => col.identity)) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max(${quote(c.name)}) AS m FROM ${quote(table)}) x WHERE m IS NOT NULL`,
      [table, c.name],
    )
  }
}

/**
 * Copies one table by column name (decision S2: same tables, same columns): the columns both sides have, each
 * batch in its own transaction, ids kept (identities advanced after). A TEXT time into a bigint column becomes
 * epoch milliseconds.
 */
async function copyTable(
  db: Db,
  pool: PgPool,
  table: string,
  target: PgColumn[],
  reseal: Resealers[string] = {},
): Promise<number> {
  const source = new Set((db.pragma(`table_info(${quote(table)})`) as { name: string }[]).map((c) => c.name))
  const columns = target.filter((c) => source.has(c.name))
  if (columns.length === 0) return 0
  const toMs = new Set(columns.filter((c) => c.type === 'bigint').map((c) => c.name))
  const list = columns.map((c) => quote(c.name)).join(', ')
  const sql = `INSERT INTO ${quote(table)} (${list}) OVERRIDING SYSTEM VALUE
    SELECT ${list} FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`
  const rows = db.prepare(`SELECT ${list} FROM ${quote(table)}`).iterate() as Iterable<Record<string, unknown>>
  const count = await inBatches(
    rows,
    (row) => {
      const out: Record<string, unknown> = {}
      for (const c of columns) {
        const v = reseal[c.name] ? reseal[c.name](row[c.name]) : row[c.name]
        out[c.name] =
          toMs.has(c.name) && typeof v === 'string' && Number.isNaN(Number(v)) ? Date.parse(v) : jsonValue(v)
      }
      return JSON.stringify(out)
    },
    (json) => pool.transaction(async (client) => void (await client.query(sql, [json]))),
  )
  await pool.transaction((client) => advanceIdentities(client, table, columns))
  return count
}

interface LogRow extends Record<string, unknown> {
  id: number
  created_at: string
  request_json: string | null
  response_json: string | null
  is_truncated: number | null
}

/**
 * Copies the request log: rows with their bodies (sealed ones as they are), ids kept, each day's partition made,
 * the search document built as the Postgres writer builds it, and the hour and day rollups recomputed from the
 * rows by the writer's own rollUpRows.
 */
async function copyRequestLog(db: Db, pool: PgPool): Promise<number> {
  const source = new Set((db.pragma('table_info(request_logs)') as { name: string }[]).map((c) => c.name))
  const columns = ['id', ...COLUMNS.filter((c) => source.has(c))]
  const list = columns.join(', ')
  const sql = `INSERT INTO request_logs (${list}, request_json, response_json, is_truncated, search) OVERRIDING SYSTEM VALUE
    SELECT ${columns.map((c) => `r.${c}`).join(', ')}, r.request_json, r.response_json, r.is_truncated,
      setweight(to_tsvector('simple', e->>'search_meta'), 'A') || setweight(to_tsvector('simple', coalesce(e->>'search_body', '')), 'B')
    FROM json_array_elements($1::json) AS e, LATERAL json_populate_record(NULL::request_logs, e) AS r`
  const rows = db
    .prepare(
      `SELECT l.*, b.request_json, b.response_json, b.is_truncated
       FROM request_logs l LEFT JOIN request_log_bodies b ON b.log_id = l.id ORDER BY l.id`,
    )
    .iterate() as Iterable<LogRow>
  let lines: RollupLine[] = []
  let times: number[] = []
  const count = await inBatches(
    rows,
    (row) => {
      const at = Date.parse(row.created_at)
      const out: Record<string, unknown> = {}
      for (const c of columns) out[c] = jsonValue(row[c])
      out.created_at = at
      out.request_json = jsonValue(row.request_json)
      out.response_json = jsonValue(row.response_json)
      out.is_truncated = row.is_truncated ?? 0
      out.search_meta = [row.request_id, row.route, row.requested_model, row.model, row.error]
        .filter((v) => v)
        .join(' ')
      const body = [bodyText(row.request_json), bodyText(row.response_json)].filter((t) => t !== null).join(' ')
      out.search_body = body ? jsonValue(body) : null
      lines.push(out as unknown as RollupLine)
      times.push(at)
      return JSON.stringify(out)
    },
    async (json) => {
      const batchLines = lines
      const batchTimes = times
      lines = []
      times = []
      await pool.transaction(async (client) => {
        const days = [...new Set(batchTimes.map((t) => t - (((t % 86_400_000) + 86_400_000) % 86_400_000)))]
        await client.query('SELECT switchyard_log_partition(d) FROM unnest($1::int8[]) AS d', [days])
        await client.query(sql, [json])
        await rollUpRows(client, batchLines, batchTimes)
      })
    },
  )
  await pool.transaction((client) =>
    advanceIdentities(client, 'request_logs', [{ name: 'id', type: 'bigint', identity: true }]),
  )
  return count
}

/** The target's tables this copy would fill, with a row in them (a non-empty target is refused without --force). */
async function occupied(pool: PgPool, tables: string[]): Promise<string[]> {
  const out: string[] = []
  for (const t of tables) {
    const rows = await pool.query(`SELECT 1 FROM ${quote(t)} LIMIT 1`)
    if (rows.length > 0) out.push(t)
  }
  return out
}

/**
 * `switchyard migrate`: copies a data folder's config (credentials sealed under SWITCHYARD_SECRET_KEY), request
 * log (bodies, search, rollups) and every other table the target's schema has (by column name) into Postgres,
 * migrating its schema first. Refuses a target that already holds any of it unless `force`, which empties those
 * tables first, so a re-run replaces what an earlier one copied.
 */
export async function migrateToPostgres(o: MigrateOptions): Promise<MigrateReport> {
  const progress = o.progress ?? (() => undefined)
  // Before anything is written: a store that does not open stops the copy here.
  const secrets = sourceSecrets(o.dataDir, o.env)
  await migratePg(o.pool)
  const sqliteTables = (
    o.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").all() as { name: string }[]
  ).map((r) => r.name)
  const plan: { table: string; columns: PgColumn[] }[] = []
  const outcomes: TableOutcome[] = []
  for (const table of sqliteTables) {
    if (table === 'request_logs' || table.startsWith('sqlite_')) continue
    if (NOT_COPIED[table]) {
      outcomes.push({ table, skipped: NOT_COPIED[table] })
      continue
    }
    const columns = await pgColumns(o.pool, table)
    if (columns.length === 0) outcomes.push({ table, skipped: "not in this gateway's Postgres schema" })
    else plan.push({ table, columns })
  }
  const filled = ['switchyard_config', 'request_logs', ...ROLLUP_TABLES, ...plan.map((p) => p.table)]
  const busy = await occupied(o.pool, filled)
  if (busy.length > 0 && !o.force) {
    throw new MigrateRefusal(
      `the target already holds data (${busy.join(', ')}): migrate into an empty database, or pass --force to replace those tables' contents`,
    )
  }
  if (o.force) await o.pool.query(`TRUNCATE ${filled.map(quote).join(', ')} CASCADE`)

  let config: MigrateReport['config']
  try {
    const backend = pgConfigBackend({
      pool: () => o.pool,
      migrated: () => true,
      onMigrated: (l) => l(),
      notifier: pgNotifier({ pool: () => o.pool }),
    })
    const version = await backend.nextVersion()
    const document = await sealedConfigDocument(o.config, secrets, o.passphrase, version)
    await backend.store(version, document, false)
    config = { version }
    progress(`config: stored as version ${version}`)
  } catch (err) {
    config = { failed: (err as Error).message }
    progress(`config: failed: ${(err as Error).message}`)
  }

  const done = (outcome: TableOutcome) => {
    outcomes.push(outcome)
    if ('copied' in outcome) progress(`${outcome.table}: ${outcome.copied} ${outcome.copied === 1 ? 'row' : 'rows'}`)
    else if ('failed' in outcome) progress(`${outcome.table}: failed: ${outcome.failed}`)
  }
  try {
    done({ table: 'request_logs', copied: await copyRequestLog(o.db, o.pool) })
  } catch (err) {
    done({ table: 'request_logs', failed: (err as Error).message })
  }
  const reseal = resealers(secrets, o.passphrase)
  for (const { table, columns } of plan) {
    try {
      done({ table, copied: await copyTable(o.db, o.pool, table, columns, reseal[table]) })
    } catch (err) {
      done({ table, failed: (err as Error).message })
    }
  }
  return { config, tables: outcomes }
}
