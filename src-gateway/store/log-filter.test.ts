import { describe, expect, it } from 'vitest'
import { openDatabase } from './db.js'
import { type LogFilter, whereClause } from './log-filter.js'

// Key, prompt and error indexes are partial (most rows have no key or prompt, and are not errors): a filter
// must still reach its index, or the logs screen's count over a big log scans the whole table.
describe('log filters use their indexes', () => {
  const db = openDatabase(':memory:')
  const plan = (f: LogFilter) => {
    const { sql, params } = whereClause(f)
    return (
      db.prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM request_logs ${sql}`).all(...params) as {
        detail: string
      }[]
    )
      .map((r) => r.detail)
      .join('\n')
  }

  it.each([
    [{ key: 'team-a' }, 'request_logs_key_name'],
    [{ status: 'error' }, 'request_logs_errors'],
    [{ status: 429 }, 'request_logs_errors'],
    [{ provider: 'openai' }, 'request_logs_provider'],
  ] as [LogFilter, string][])('%o → %s', (filter, index) => {
    expect(plan(filter)).toContain(`INDEX ${index}`)
  })

  it('finds rows by prompt through its partial index', () => {
    const detail = (
      db
        .prepare('EXPLAIN QUERY PLAN SELECT id FROM request_logs WHERE prompt_name = ? ORDER BY created_at')
        .all('greeting') as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('\n')
    expect(detail).toContain('INDEX request_logs_prompt')
  })
})
