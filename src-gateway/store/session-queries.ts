import { setImmediate as nextTurn } from 'node:timers/promises'
import type { LogItem } from '../../src-shared/contract/logs.js'
import type { ProjectList, SessionPage, SessionSummary } from '../../src-shared/contract/sessions.js'
import type { Db } from './db.js'
import { rowsById } from './log-queries.js'

/** What the sessions list selects: a time range (ISO, `to` exclusive) and the calls' project, key or tool. */
export interface SessionsFilter {
  from: string
  to: string
  project?: string
  key?: string
  tool?: string
  /** The caller's workspaces (tenancy.ts): only their calls; undefined for a caller who sees every workspace. */
  workspaces?: readonly string[]
}

/** A list's `total` counts sessions up to this many; past it the page says `isTotalCapped`. */
export const SESSION_TOTAL_CAP = 1000

/** Ids one step of the list reads: a turn of the event loop between steps, as the logs list does. */
const ID_WINDOW = 20_000

/**
 * Rows are numbered in the order they were written, and a row is written when its call ends: up to a client's
 * timeout (Claude Code's is 10 minutes) after the `created_at` it starts at. Taking this as the longest call,
 * a row started this long before a time was written before any call started at that time ended, and one
 * started this long after it, after every call started before it ended: their ids bound the range's.
 */
const WRITE_LAG_MS = 30 * 60_000

/** A member's calls only (see tenancy.ts); rows without a workspace are in no member's list. */
const WORKSPACE_SQL = ' AND workspace IN (SELECT value FROM json_each(?))'

interface Selection {
  where: string
  params: unknown[]
}

/** The filter's terms on a call, beside the time range (fixed fragments, values as parameters). */
function callTerms(f: SessionsFilter): Selection {
  const parts = ['created_at >= ?', 'created_at < ?']
  const params: unknown[] = [f.from, f.to]
  const add = (sql: string, value: string | undefined) => {
    if (value === undefined) return
    parts.push(sql)
    params.push(value)
  }
  add('project = ?', f.project)
  add('key_name = ?', f.key)
  add('client_tool = ?', f.tool)
  add('workspace IN (SELECT value FROM json_each(?))', f.workspaces && JSON.stringify(f.workspaces))
  return { where: parts.join(' AND '), params }
}

const shifted = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()

/** The ids the range's rows can have: [lo, hi), from two seeks in the created_at index. */
function idSpan(db: Db, f: SessionsFilter): { lo: number; hi: number } | undefined {
  // Two subqueries: SQLite reads min() or max() from the end of the index only when each stands alone.
  const ids = db
    .prepare('SELECT (SELECT min(id) FROM request_logs) AS min, (SELECT max(id) FROM request_logs) AS max')
    .get() as { min: number | null; max: number | null }
  if (ids.min === null || ids.max === null) return undefined
  const before = db
    .prepare('SELECT id FROM request_logs WHERE created_at < ? ORDER BY created_at DESC LIMIT 1')
    .pluck()
    .get(shifted(f.from, -WRITE_LAG_MS)) as number | undefined
  const after = db
    .prepare('SELECT id FROM request_logs WHERE created_at >= ? ORDER BY created_at LIMIT 1')
    .pluck()
    .get(shifted(f.to, WRITE_LAG_MS)) as number | undefined
  return { lo: before ?? ids.min, hi: after ?? ids.max + 1 }
}

/**
 * The sessions with a matching call below `before`, the most recently active first, each with the id of its
 * last matching call there; up to `want` of them. The range is read window by window down the ids (the table
 * itself, NOT INDEXED: the session index would be read whole), so a page near the top reads only the calls of
 * the sessions it shows. With a cursor, a session found below it that also has a matching call at or above
 * it was on an earlier page, and is left out (a seek in the session index each).
 */
async function activeSessions(
  db: Db,
  f: SessionsFilter,
  before: number | undefined,
  want: number,
): Promise<{ id: string; last: number }[]> {
  const span = idSpan(db, f)
  if (!span) return []
  const terms = callTerms(f)
  const inWindow = db.prepare(
    `SELECT session_id AS id, max(id) AS last FROM request_logs NOT INDEXED
     WHERE id >= ? AND id < ? AND session_id IS NOT NULL AND ${terms.where}
     GROUP BY session_id ORDER BY last DESC`,
  )
  const shownBefore = db.prepare(
    `SELECT 1 FROM request_logs WHERE session_id = ? AND id >= ? AND id < ? AND ${terms.where} LIMIT 1`,
  )
  const seen = new Set<string>()
  const found: { id: string; last: number }[] = []
  let top = Math.min(span.hi, before ?? span.hi)
  while (top > span.lo && found.length < want) {
    const bottom = Math.max(span.lo, top - ID_WINDOW)
    for (const s of inWindow.all(bottom, top, ...terms.params) as { id: string; last: number }[]) {
      if (seen.has(s.id)) continue
      seen.add(s.id)
      if (before !== undefined && shownBefore.get(s.id, before, span.hi, ...terms.params)) continue
      found.push(s)
      if (found.length === want) break
    }
    top = bottom
    if (top > span.lo && found.length < want) {
      await nextTurn()
      if (!db.open) break
    }
  }
  return found
}

interface TotalsRow {
  id: string
  tool: string | null
  project: string | null
  key_name: string | null
  calls: number
  input_tokens: number
  output_tokens: number
  cached_tokens: number
  cache_hits: number
  cost_usd: number | null
  errors: number
  first_at: string
  last_at: string
  last_end_ms: number
}

/**
 * The totals of these sessions over all of their calls (the session index), or only over the calls of
 * `workspaces` (a member's). A session's tool, project and key are the greatest of its calls' (each is one
 * value in a session that names it at all).
 */
function sessionTotals(db: Db, ids: string[], workspaces?: readonly string[]): Map<string, SessionSummary> {
  const out = new Map<string, SessionSummary>()
  if (ids.length === 0) return out
  const list = JSON.stringify(ids)
  const scope = workspaces ? WORKSPACE_SQL : ''
  const scopeParams = workspaces ? [JSON.stringify(workspaces)] : []
  const rows = db
    .prepare(
      `SELECT session_id AS id, max(client_tool) AS tool, max(project) AS project, max(key_name) AS key_name,
         count(*) AS calls, coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
         coalesce(sum(cached_tokens), 0) AS cached_tokens, sum(is_cache_hit) AS cache_hits, sum(cost_usd) AS cost_usd,
         sum(status >= 400) AS errors, min(created_at) AS first_at, max(created_at) AS last_at,
         max((julianday(created_at) - 2440587.5) * 86400000.0 + latency_ms) AS last_end_ms
       FROM request_logs WHERE session_id IN (SELECT value FROM json_each(?))${scope} GROUP BY session_id`,
    )
    .all(list, ...scopeParams) as TotalsRow[]
  const models = db
    .prepare(
      `SELECT session_id AS id, coalesce(model, requested_model) AS model, min(id) AS first FROM request_logs
       WHERE session_id IN (SELECT value FROM json_each(?)) AND coalesce(model, requested_model) != ''${scope}
       GROUP BY session_id, coalesce(model, requested_model) ORDER BY first`,
    )
    .all(list, ...scopeParams) as { id: string; model: string }[]
  for (const r of rows) {
    out.set(r.id, {
      id: r.id,
      tool: r.tool,
      project: r.project,
      keyName: r.key_name,
      models: [],
      calls: r.calls,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      cachedTokens: r.cached_tokens,
      cacheHits: r.cache_hits,
      costUsd: r.cost_usd,
      errors: r.errors,
      firstAt: r.first_at,
      lastAt: r.last_at,
      durationMs: Math.max(0, Math.round(r.last_end_ms - Date.parse(r.first_at))),
    })
  }
  for (const m of models) out.get(m.id)?.models.push(m.model)
  return out
}

/**
 * A page of the sessions active in the range, the most recently active first, keyset-paginated by the id of
 * each one's last matching call (`cursor` is the previous page's `nextCursor`). One pass finds the page and
 * counts the sessions below it up to SESSION_TOTAL_CAP; totals are read only for the page's sessions.
 */
export async function listSessions(
  db: Db,
  filter: SessionsFilter,
  { limit, cursor }: { limit: number; cursor?: number },
): Promise<SessionPage> {
  const found = await activeSessions(db, filter, cursor, Math.max(limit, SESSION_TOTAL_CAP) + 1)
  const page = found.slice(0, limit)
  const totals = sessionTotals(
    db,
    page.map((s) => s.id),
    filter.workspaces,
  )
  return {
    items: page.flatMap((s) => totals.get(s.id) ?? []),
    total: Math.min(found.length, SESSION_TOTAL_CAP),
    isTotalCapped: found.length > SESSION_TOTAL_CAP,
    nextCursor: found.length > limit ? String(page[page.length - 1].last) : null,
  }
}

/**
 * One session's totals and a page of its calls in the order they were made (`cursor`: the last call seen);
 * with `workspaces`, of those workspaces' calls only (null when it has none there).
 */
export function getSession(
  db: Db,
  id: string,
  { limit, cursor, workspaces }: { limit: number; cursor?: number; workspaces?: readonly string[] },
): { session: SessionSummary; calls: LogItem[]; nextCursor: string | null } | null {
  const session = sessionTotals(db, [id], workspaces).get(id)
  if (!session) return null
  const ids = db
    .prepare(
      `SELECT id FROM request_logs WHERE session_id = ? AND id > ?${workspaces ? WORKSPACE_SQL : ''} ORDER BY id LIMIT ?`,
    )
    .pluck()
    .all(id, cursor ?? 0, ...(workspaces ? [JSON.stringify(workspaces)] : []), limit + 1) as number[]
  const pageIds = ids.slice(0, limit)
  return {
    session,
    calls: rowsById(db, pageIds).reverse(),
    nextCursor: ids.length > limit ? String(pageIds[pageIds.length - 1]) : null,
  }
}

/** Projects a list shows at most, the most recently active first. */
export const PROJECT_LIST_CAP = 200

/**
 * The projects with a call in the range and their totals over those calls, in one pass over the range's
 * ids (the table by id, as the sessions list reads it).
 */
export function listProjects(db: Db, filter: Omit<SessionsFilter, 'project'>): ProjectList {
  const span = idSpan(db, filter)
  if (!span) return { items: [], isCapped: false }
  const terms = callTerms(filter)
  const rows = db
    .prepare(
      `SELECT project, count(DISTINCT session_id) AS sessions, count(*) AS calls,
         coalesce(sum(input_tokens), 0) AS inputTokens, coalesce(sum(output_tokens), 0) AS outputTokens,
         coalesce(sum(cached_tokens), 0) AS cachedTokens, sum(cost_usd) AS costUsd, sum(status >= 400) AS errors,
         max(created_at) AS lastAt
       FROM request_logs NOT INDEXED
       WHERE id >= ? AND id < ? AND project IS NOT NULL AND ${terms.where}
       GROUP BY project ORDER BY lastAt DESC, project LIMIT ?`,
    )
    .all(span.lo, span.hi, ...terms.params, PROJECT_LIST_CAP + 1) as ProjectList['items']
  return { items: rows.slice(0, PROJECT_LIST_CAP), isCapped: rows.length > PROJECT_LIST_CAP }
}
