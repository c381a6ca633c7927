/** What the logs screen filters by; `from`/`to` are ISO-8601 UTC times, `to` exclusive. */
export interface LogFilter {
  from?: string
  to?: string
  model?: string
  provider?: string
  key?: string
  /** An exact HTTP status, or every status from 400 up. */
  status?: number | 'error'
  /** Words searched in the full-text index: request id, route, models, error and plain stored bodies. */
  q?: string
  /** `q` searches the metadata only, not the bodies: for a role that may not see bodies (logs:bodies). */
  searchMetaOnly?: boolean
  /** Served from the gateway's cache, or not. */
  cache?: 'hit' | 'miss'
  /** The strongest guardrail action on the row, or `any` for every row where a check fired. */
  guardrail?: 'block' | 'flag' | 'log' | 'any'
  /** Only rows where redaction found something. */
  redacted?: boolean
  /** Only the calls of this coding session (read through the session index). */
  session?: string
  /** Only the calls of this workspace's keys, or made for this person (each read through its partial index). */
  workspace?: string
  person?: string
  /**
   * The caller's workspaces (tenancy.ts): only rows of these; undefined for a caller who sees every workspace.
   * Rows without a workspace are in no list. Set by the gateway from the principal, never from the query.
   */
  workspaces?: readonly string[]
  /** Only calls to models, or only tool calls through the MCP hub. */
  kind?: 'model' | 'mcp'
}

/**
 * The rows a filter selects, as SQL built only from fixed fragments: `FROM ${from} ${where}` with `params`,
 * paged by the column `id` (descending, the list's order).
 */
export interface LogSelection {
  from: string
  where: string
  params: unknown[]
  id: string
}

/** Search terms past this many are ignored: each one is another posting list to intersect. */
const MAX_TERMS = 16
/** A term longer than this is cut; no token in the index is that long. */
const MAX_TERM_CHARS = 128

/** The last term matches as a prefix (search as you type, part of a request id) from this length on. */
const MIN_PREFIX_CHARS = 3

/**
 * The user's search text as an FTS5 query that only ever means "all of these words": each term becomes a
 * quoted phrase (quotes doubled), so operators, column filters, `*`, `^` and NEAR in the text are plain
 * words; only the last one may end in our own `*`, and only when long enough not to expand to much of the
 * index. Null when the text has no letter or digit, which the index could match.
 */
export function ftsQuery(text: string): string | null {
  const terms = text
    .split(/\s+/)
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
    .slice(0, MAX_TERMS)
  if (terms.length === 0) return null
  const phrases = terms.map((t) => `"${t.slice(0, MAX_TERM_CHARS).replaceAll('"', '""')}"`)
  if (terms[terms.length - 1].length >= MIN_PREFIX_CHARS) phrases[phrases.length - 1] += '*'
  return phrases.join(' ')
}

/**
 * The selection for a filter, within the id bounds (`before`: a page's cursor; `after`: the newest row the
 * caller already has). A text search reads the full-text index first, in id order (CROSS JOIN keeps SQLite
 * from starting with a filter's index and asking the text index row by row).
 */
export function logSelection(f: LogFilter, bounds: { before?: number; after?: number } = {}): LogSelection {
  const parts: string[] = []
  const params: unknown[] = []
  const add = (sql: string, ...values: unknown[]) => {
    parts.push(sql)
    params.push(...values)
  }
  const match = f.q === undefined ? undefined : ftsQuery(f.q)
  const search = match !== undefined && match !== null
  const id = search ? 'request_logs_fts.rowid' : 'request_logs.id'
  // An FTS5 column filter: the bodies' words cannot match, so a result cannot tell what a body holds.
  if (search) add('request_logs_fts MATCH ?', f.searchMetaOnly ? `meta : (${match})` : match)
  // Text with nothing searchable matches nothing, as a search for it would.
  else if (match === null) add('0')
  if (bounds.before !== undefined) add(`${id} < ?`, bounds.before)
  if (bounds.after !== undefined) add(`${id} > ?`, bounds.after)
  if (f.from) add('created_at >= ?', f.from)
  if (f.to) add('created_at < ?', f.to)
  if (f.model) add('(model = ? OR requested_model = ?)', f.model, f.model)
  if (f.provider) add('provider = ?', f.provider)
  if (f.key) add('key_name = ?', f.key)
  if (f.status === 'error') add('status >= 400')
  // The index covers errors only (status >= 400); SQLite uses it only when the query says so itself.
  else if (f.status !== undefined) add(f.status >= 400 ? 'status = ? AND status >= 400' : 'status = ?', f.status)
  if (f.cache) add(`is_cache_hit = ${f.cache === 'hit' ? 1 : 0}`)
  if (f.guardrail === 'any') add('guardrail_action IS NOT NULL')
  else if (f.guardrail) add('guardrail_action = ?', f.guardrail)
  // The writer stores no redactions_json when nothing was found, so presence means "redacted".
  if (f.redacted) add('redactions_json IS NOT NULL')
  if (f.session) add('session_id = ?', f.session)
  if (f.workspace) add('workspace = ?', f.workspace)
  if (f.person) add('person = ?', f.person)
  if (f.workspaces) add('workspace IN (SELECT value FROM json_each(?))', JSON.stringify(f.workspaces))
  // A literal, not a parameter: SQLite uses the partial index of tool calls only when the query names its condition.
  if (f.kind === 'mcp') add("inbound_api = 'mcp'")
  else if (f.kind === 'model') add("inbound_api <> 'mcp'")
  return {
    from: search
      ? 'request_logs_fts CROSS JOIN request_logs ON request_logs.id = request_logs_fts.rowid'
      : 'request_logs',
    where: parts.length ? `WHERE ${parts.join(' AND ')}` : '',
    params,
    id,
  }
}
