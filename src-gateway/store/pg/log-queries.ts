import type { LogDetail, LogItem, LogPage } from '../../../src-shared/contract/logs.js'
import type { BodyCipher } from '../body-cipher.js'
import type { LogFilter } from '../log-filter.js'
import { COLUMNS, type LogRow, readBody, TOTAL_CAP, toItem } from '../log-queries.js'
import type { PgPool } from './pool.js'

/** Search terms past this many are ignored, as in SQLite (log-filter.ts): each one is another lookup to intersect. */
const MAX_TERMS = 16
/** A term longer than this is cut; no word in the index is that long. */
const MAX_TERM_CHARS = 128
/** The last term matches as a prefix from this length on, as in SQLite. */
const MIN_PREFIX_CHARS = 3

/**
 * The user's search text as tsquery text that only ever means "all of these words", the Postgres twin of
 * log-filter.ts ftsQuery: each term is one quoted operand (quotes and backslashes doubled), so `&`, `|`, `!`,
 * `<->` and `:` in the text are plain characters; to_tsquery runs the quoted term through the same parser as the
 * index (a term of several words becomes a phrase of them). Only the last term may end in our own `:*`, and a
 * meta-only search (no logs:bodies) matches weight-A lexemes only, so a body's words can never match it. Null
 * when the text has no letter or digit.
 */
export function tsQueryText(text: string, metaOnly = false): string | null {
  const terms = text
    .split(/\s+/)
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
    .slice(0, MAX_TERMS)
  if (terms.length === 0) return null
  const weight = metaOnly ? 'A' : ''
  return terms
    .map((t, i) => {
      const quoted = `'${t.slice(0, MAX_TERM_CHARS).replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
      const prefix = i === terms.length - 1 && t.length >= MIN_PREFIX_CHARS ? '*' : ''
      return prefix || weight ? `${quoted}:${prefix}${weight}` : quoted
    })
    .join(' & ')
}

/** A filter as a WHERE clause over request_logs: fixed fragments, every value a parameter. */
export interface PgSelection {
  where: string
  params: unknown[]
}

/**
 * The Postgres selection for a filter (log-filter.ts logSelection's twin), within id bounds: `before` a page's
 * cursor, `after` the newest row the caller already has. `created_at` is epoch ms here: the ISO bounds convert.
 */
export function pgSelection(f: LogFilter, bounds: { before?: number; after?: number } = {}): PgSelection {
  const parts: string[] = []
  const params: unknown[] = []
  const param = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  if (f.q !== undefined) {
    const query = tsQueryText(f.q, f.searchMetaOnly)
    // Text with nothing searchable matches nothing, as a search for it would.
    if (query === null) parts.push('false')
    else parts.push(`search @@ to_tsquery('simple', ${param(query)})`)
  }
  if (bounds.before !== undefined) parts.push(`id < ${param(bounds.before)}`)
  if (bounds.after !== undefined) parts.push(`id > ${param(bounds.after)}`)
  const time = (op: string, iso: string) => {
    const ms = Date.parse(iso)
    // The admin routes validate times; one that does not parse matches nothing rather than everything.
    parts.push(Number.isFinite(ms) ? `created_at ${op} ${param(ms)}` : 'false')
  }
  if (f.from) time('>=', f.from)
  if (f.to) time('<', f.to)
  if (f.model) {
    const m = param(f.model)
    parts.push(`(model = ${m} OR requested_model = ${m})`)
  }
  if (f.provider) parts.push(`provider = ${param(f.provider)}`)
  if (f.key) parts.push(`key_name = ${param(f.key)}`)
  if (f.status === 'error') parts.push('status >= 400')
  else if (f.status !== undefined) parts.push(`status = ${param(f.status)}`)
  if (f.cache) parts.push(`is_cache_hit = ${f.cache === 'hit' ? 1 : 0}`)
  if (f.guardrail === 'any') parts.push('guardrail_action IS NOT NULL')
  else if (f.guardrail) parts.push(`guardrail_action = ${param(f.guardrail)}`)
  if (f.redacted) parts.push('redactions_json IS NOT NULL')
  if (f.session) parts.push(`session_id = ${param(f.session)}`)
  if (f.workspace) parts.push(`workspace = ${param(f.workspace)}`)
  if (f.person) parts.push(`person = ${param(f.person)}`)
  if (f.workspaces) parts.push(`workspace = ANY(${param([...f.workspaces])}::text[])`)
  if (f.kind === 'mcp') parts.push("inbound_api = 'mcp'")
  else if (f.kind === 'model') parts.push("inbound_api <> 'mcp'")
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params }
}

type PgLogRow = Omit<LogRow, 'created_at'> & { created_at: number }

/** A Postgres row as SQLite's: created_at back to the ISO text the API shows. */
const asItem = (r: PgLogRow): LogItem => toItem({ ...r, created_at: new Date(r.created_at).toISOString() })

/** The rows with these ids, newest first. */
export async function pgRowsById(db: PgPool, ids: number[]): Promise<LogItem[]> {
  if (ids.length === 0) return []
  const rows = await db.query<PgLogRow>(
    `SELECT ${COLUMNS} FROM request_logs WHERE id = ANY($1::bigint[]) ORDER BY id DESC`,
    [ids],
  )
  return rows.map(asItem)
}

/** Up to `want` matching ids below `before` and above `after`, newest first: one bounded, parameterised query. */
async function matchingIds(
  db: PgPool,
  filter: LogFilter,
  bounds: { before?: number; after?: number },
  want: number,
): Promise<number[]> {
  const s = pgSelection(filter, bounds)
  const rows = await db.query<{ id: number }>(
    `SELECT id FROM request_logs ${s.where} ORDER BY id DESC LIMIT ${want}`,
    s.params,
  )
  return rows.map((r) => r.id)
}

/**
 * A Logs page, as SQLite's listLogs answers it: newest first, keyset-paginated by id, the total counted up to
 * TOTAL_CAP from the same pass that finds the page (the statement stops at TOTAL_CAP + 1 ids, whatever the log's size).
 */
export async function pgListLogs(
  db: PgPool,
  filter: LogFilter,
  { limit, cursor, after }: { limit: number; cursor?: number; after?: number },
): Promise<LogPage> {
  const ids = await matchingIds(db, filter, { before: cursor, after }, TOTAL_CAP + 1)
  const pageIds = ids.slice(0, limit)
  return {
    items: await pgRowsById(db, pageIds),
    total: Math.min(ids.length, TOTAL_CAP),
    isTotalCapped: ids.length > TOTAL_CAP,
    nextCursor: ids.length > limit ? String(pageIds[pageIds.length - 1]) : null,
  }
}

/** One row with its bodies; `cipher` opens sealed ones (plain ones read without it). */
export async function pgGetLog(db: PgPool, id: number, cipher?: BodyCipher): Promise<LogDetail | undefined> {
  const [row] = await db.query<
    PgLogRow & { request_json: string | null; response_json: string | null; is_truncated: number }
  >(`SELECT ${COLUMNS}, request_json, response_json, is_truncated FROM request_logs WHERE id = $1 LIMIT 1`, [id])
  if (!row) return undefined
  const request = readBody(row.request_json, cipher)
  const response = readBody(row.response_json, cipher)
  return {
    ...asItem(row),
    requestBody: request.body,
    responseBody: response.body,
    isBodyTruncated: row.is_truncated === 1,
    bodyError: request.error ?? response.error ?? null,
  }
}

/**
 * Every matching row, newest first, `batchSize` at a time (prompt replay, exports): each batch is one bounded
 * query below the last batch's id, so a consumer that stops pulling stops the reading and nothing stays open.
 */
export async function* pgLogBatches(db: PgPool, filter: LogFilter, batchSize = 200): AsyncGenerator<LogItem[]> {
  let cursor: number | undefined
  for (;;) {
    const ids = await matchingIds(db, filter, { before: cursor }, batchSize)
    const batch = await pgRowsById(db, ids)
    if (batch.length > 0) yield batch
    if (ids.length < batchSize) return
    cursor = ids[ids.length - 1]
  }
}

/** Cost logged since `sinceMs` for one key or workspace: the seed of a budget ledger. */
export async function pgSpendSince(
  db: PgPool,
  scope: 'key' | 'workspace',
  name: string,
  sinceMs: number,
): Promise<number> {
  const column = scope === 'key' ? 'key_name' : 'workspace'
  const [row] = await db.query<{ usd: number }>(
    `SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM request_logs WHERE ${column} = $1 AND created_at >= $2`,
    [name, sinceMs],
  )
  return row?.usd ?? 0
}
