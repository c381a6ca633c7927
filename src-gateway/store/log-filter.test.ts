import { describe, expect, it } from 'vitest'
import { openDatabase } from './db.js'
import { ftsQuery, type LogFilter, logSelection } from './log-filter.js'
import { searchIndexer } from './search-index.js'

// Key, prompt and error indexes are partial (most rows have no key or prompt, and are not errors): a filter
// must still reach its index, in the list's order (id), or a page over a big log sorts every match first.
describe('log filters use their indexes', () => {
  const db = openDatabase(':memory:')
  const plan = (f: LogFilter) => {
    const s = logSelection(f, { before: 1000 })
    return (
      db
        .prepare(`EXPLAIN QUERY PLAN SELECT ${s.id} FROM ${s.from} ${s.where} ORDER BY ${s.id} DESC LIMIT 101`)
        .all(...s.params) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('\n')
  }

  it.each([
    [{ key: 'team-a' }, 'request_logs_key'],
    [{ status: 'error' }, 'request_logs_errors'],
    [{ status: 429 }, 'request_logs_errors'],
    [{ provider: 'openai' }, 'request_logs_provider'],
  ] as [LogFilter, string][])('%o → %s, without sorting', (filter, index) => {
    const detail = plan(filter)
    expect(detail).toContain(`INDEX ${index} `)
    expect(detail).not.toContain('TEMP B-TREE')
  })

  it('reads a text search from the full-text index in id order', () => {
    const detail = plan({ q: 'needle', provider: 'openai' })
    expect(detail).toMatch(/SCAN request_logs_fts VIRTUAL TABLE/)
    expect(detail).not.toContain('TEMP B-TREE')
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

describe('search text becomes a query for words only', () => {
  it.each([
    ['needle', '"needle"*'],
    ['two  words', '"two" "words"*'],
    ['req_01H-abc', '"req_01H-abc"*'],
    ['ab', '"ab"'],
    // FTS5 syntax in the text stays text: quotes, operators, column filters, prefix and initial-token marks.
    ['a" OR meta:"b', '"a""" "OR" "meta:""b"*'],
    ['NEAR(x y) body:secret ^start pre* ab', '"NEAR(x" "y)" "body:secret" "^start" "pre*" "ab"'],
  ])('%s → %s', (text, query) => {
    expect(ftsQuery(text)).toBe(query)
  })

  it('is null when nothing in the text can match a word', () => {
    expect(ftsQuery(' " - * ')).toBeNull()
  })

  it('keeps at most 16 terms of at most 128 characters', () => {
    const terms = ftsQuery(`${'x'.repeat(500)} ${Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ')}`)!.split(' ')
    expect(terms).toHaveLength(16)
    expect(terms[0]).toBe(`"${'x'.repeat(128)}"`)
    expect(terms[15]).toBe('"w14"*')
  })

  it('every such query parses and matches only its words', () => {
    const db = openDatabase(':memory:')
    const error = 'a" OR meta:"b NEAR(x y)'
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms, error)
         VALUES ('2025-01-01T00:00:00.000Z', 'r1', 'openai', 500, 1, ?)`,
      )
      .run(error)
    searchIndexer(db)(lastInsertRowid, { request_id: 'r1', route: null, requested_model: null, model: null, error })
    const hits = (text: string) =>
      db.prepare('SELECT rowid FROM request_logs_fts WHERE request_logs_fts MATCH ?').pluck().all(ftsQuery(text))
    expect(hits('a" OR meta:"b')).toEqual([1])
    expect(hits('NEAR(x y)')).toEqual([1])
    expect(hits('NEA')).toEqual([1])
    expect(hits('a" OR "zzz')).toEqual([])
    db.close()
  })
})
