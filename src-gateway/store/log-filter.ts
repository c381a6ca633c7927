/** What the logs screen filters by; `from`/`to` are ISO-8601 UTC times, `to` exclusive. */
export interface LogFilter {
  from?: string
  to?: string
  model?: string
  provider?: string
  key?: string
  /** An exact HTTP status, or every status from 400 up. */
  status?: number | 'error'
  /** Text searched in request id, models, error and stored bodies. */
  q?: string
  /** Served from the gateway's cache, or not. */
  cache?: 'hit' | 'miss'
  /** The strongest guardrail action on the row, or `any` for every row where a check fired. */
  guardrail?: 'block' | 'flag' | 'log' | 'any'
  /** Only rows where redaction found something. */
  redacted?: boolean
}

/** A WHERE clause over `request_logs` and its parameters, built only from fixed SQL fragments. */
export function whereClause(f: LogFilter): { sql: string; params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  const add = (sql: string, ...values: unknown[]) => {
    parts.push(sql)
    params.push(...values)
  }
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
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const m = "LIKE ? ESCAPE '\\'"
    add(
      `(request_id ${m} OR model ${m} OR requested_model ${m} OR error ${m} OR EXISTS (SELECT 1 FROM request_log_bodies b
        WHERE b.log_id = request_logs.id AND (b.request_json ${m} OR b.response_json ${m})))`,
      ...Array(6).fill(like),
    )
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params }
}
