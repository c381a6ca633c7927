import type { ProjectList, SessionPage, SessionSummary } from '../../../src-shared/contract/sessions.js'
import type { SessionDetail } from '../log-store.js'
import { PROJECT_LIST_CAP, SESSION_TOTAL_CAP, type SessionsFilter } from '../session-queries.js'
import { pgRowsById } from './log-queries.js'
import type { PgPool } from './pool.js'

// session-queries.ts on Postgres: the same pages and totals. Text maxima and orders use the "C" collation, so they
// compare bytes as SQLite does, whatever the database's locale.

/** The filter's terms on a call beside the time range, from parameter `$${first}` on. */
function callTerms(f: SessionsFilter, first = 1): { where: string; params: unknown[] } {
  const params: unknown[] = []
  const param = (v: unknown) => {
    params.push(v)
    return `$${first + params.length - 1}`
  }
  const parts = [`created_at >= ${param(Date.parse(f.from))}`, `created_at < ${param(Date.parse(f.to))}`]
  if (f.project !== undefined) parts.push(`project = ${param(f.project)}`)
  if (f.key !== undefined) parts.push(`key_name = ${param(f.key)}`)
  if (f.tool !== undefined) parts.push(`client_tool = ${param(f.tool)}`)
  if (f.workspaces) parts.push(`workspace = ANY(${param([...f.workspaces])}::text[])`)
  return { where: parts.join(' AND '), params }
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
  first_at: number
  last_at: number
  last_end_ms: number
}

/** The totals of these sessions over all their calls, or over `workspaces`' calls only (a member's). */
async function sessionTotals(
  db: PgPool,
  ids: string[],
  workspaces?: readonly string[],
): Promise<Map<string, SessionSummary>> {
  const out = new Map<string, SessionSummary>()
  if (ids.length === 0) return out
  const scope = workspaces ? ' AND workspace = ANY($2::text[])' : ''
  const params = workspaces ? [ids, [...workspaces]] : [ids]
  const rows = await db.query<TotalsRow>(
    `SELECT session_id AS id, max(client_tool COLLATE "C") AS tool, max(project COLLATE "C") AS project,
       max(key_name COLLATE "C") AS key_name, count(*) AS calls, coalesce(sum(input_tokens), 0) AS input_tokens,
       coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(cached_tokens), 0) AS cached_tokens,
       sum(is_cache_hit) AS cache_hits, sum(cost_usd) AS cost_usd,
       sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, min(created_at) AS first_at,
       max(created_at) AS last_at, max(created_at + latency_ms) AS last_end_ms
     FROM request_logs WHERE session_id = ANY($1::text[])${scope} GROUP BY session_id`,
    params,
  )
  const models = await db.query<{ id: string; model: string }>(
    `SELECT session_id AS id, coalesce(model, requested_model) AS model, min(id) AS first FROM request_logs
     WHERE session_id = ANY($1::text[]) AND coalesce(model, requested_model) <> ''${scope}
     GROUP BY session_id, coalesce(model, requested_model) ORDER BY first`,
    params,
  )
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
      firstAt: new Date(r.first_at).toISOString(),
      lastAt: new Date(r.last_at).toISOString(),
      durationMs: Math.max(0, Math.round(r.last_end_ms - r.first_at)),
    })
  }
  for (const m of models) out.get(m.id)?.models.push(m.model)
  return out
}

/**
 * A page of the sessions active in the range, the most recently active first, keyset-paginated by the id of each
 * one's last matching call: a session whose last matching call is at or above the cursor was on an earlier page.
 * One statement finds the page and counts the sessions below it up to SESSION_TOTAL_CAP.
 */
export async function pgListSessions(
  db: PgPool,
  filter: SessionsFilter,
  { limit, cursor }: { limit: number; cursor?: number },
): Promise<SessionPage> {
  const terms = callTerms(filter)
  const want = Math.max(limit, SESSION_TOTAL_CAP) + 1
  const below = cursor === undefined ? '' : ` HAVING max(id) < $${terms.params.length + 1}`
  const found = await db.query<{ id: string; last: number }>(
    `SELECT session_id AS id, max(id) AS last FROM request_logs
     WHERE session_id IS NOT NULL AND ${terms.where} GROUP BY session_id${below} ORDER BY last DESC LIMIT ${want}`,
    cursor === undefined ? terms.params : [...terms.params, cursor],
  )
  const page = found.slice(0, limit)
  const totals = await sessionTotals(
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

/** One session's totals and a page of its calls in the order they were made (`cursor`: the last call seen). */
export async function pgGetSession(
  db: PgPool,
  id: string,
  { limit, cursor, workspaces }: { limit: number; cursor?: number; workspaces?: readonly string[] },
): Promise<SessionDetail | undefined> {
  const session = (await sessionTotals(db, [id], workspaces)).get(id)
  if (!session) return undefined
  const rows = await db.query<{ id: number }>(
    `SELECT id FROM request_logs WHERE session_id = $1 AND id > $2${
      workspaces ? ' AND workspace = ANY($4::text[])' : ''
    } ORDER BY id LIMIT $3`,
    workspaces ? [id, cursor ?? 0, limit + 1, [...workspaces]] : [id, cursor ?? 0, limit + 1],
  )
  const ids = rows.map((r) => r.id)
  const pageIds = ids.slice(0, limit)
  return {
    session,
    calls: (await pgRowsById(db, pageIds)).reverse(),
    nextCursor: ids.length > limit ? String(pageIds[pageIds.length - 1]) : null,
  }
}

/** The projects with a call in the range and their totals over those calls, the most recently active first. */
export async function pgListProjects(db: PgPool, filter: Omit<SessionsFilter, 'project'>): Promise<ProjectList> {
  const terms = callTerms(filter)
  const rows = await db.query<ProjectList['items'][number] & { lastAt: string | number }>(
    `SELECT project, count(DISTINCT session_id) AS sessions, count(*) AS calls,
       coalesce(sum(input_tokens), 0) AS "inputTokens", coalesce(sum(output_tokens), 0) AS "outputTokens",
       coalesce(sum(cached_tokens), 0) AS "cachedTokens", sum(cost_usd) AS "costUsd",
       sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, max(created_at) AS "lastAt"
     FROM request_logs WHERE project IS NOT NULL AND ${terms.where}
     GROUP BY project ORDER BY "lastAt" DESC, project COLLATE "C" LIMIT ${PROJECT_LIST_CAP + 1}`,
    terms.params,
  )
  const items = rows.map((r) => ({ ...r, lastAt: new Date(Number(r.lastAt)).toISOString() }))
  return { items: items.slice(0, PROJECT_LIST_CAP), isCapped: items.length > PROJECT_LIST_CAP }
}
