import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { parseConfig } from '../../config/load.js'
import type { LogEvent } from '../../core/log-event.js'
import { createPriceBook } from '../../pricing/price-book.js'
import { createBodyCipher } from '../body-cipher.js'
import { openDatabase } from '../db.js'
import type { LogFilter } from '../log-filter.js'
import { getLog, listLogs, logBatches, UNREADABLE_BODY } from '../log-queries.js'
import { createLogWriter } from '../log-writer.js'
import { pgGetLog, pgListLogs, pgLogBatches, pgSpendSince, tsQueryText } from './log-queries.js'
import { createPgLogWriter, pgTarget } from './log-writer.js'
import { migratePg } from './migrations.js'
import { openPgPool, type PgPool } from './pool.js'

// The Postgres reader must answer as SQLite does for the same rows: both logs get the same events through their own
// writers (so ids, times and the search documents are each backend's own), then every Logs page filter is asked of
// both and the answers compared whole, besides a few stated outright so that both cannot be wrong the same way.

const DAY = Date.parse('2025-03-01T00:00:00Z')
const cipher = createBodyCipher(Buffer.alloc(32, 9))
const priceBook = createPriceBook(parseConfig('providers: { openai: { type: openai, apiKey: sk-x } }', 'yaml').resolved)

const events: LogEvent[] = []
const add = (over: Partial<LogEvent>) => {
  const n = events.length + 1
  events.push({
    requestId: `req_${String(n).padStart(4, '0')}`,
    // Two UTC days, so the rows sit in two partitions.
    startedAt: DAY + n * 1_800_000,
    inboundApi: 'openai',
    requestedModel: 'gpt-4o',
    provider: 'openai',
    model: 'gpt-4o',
    status: 200,
    latencyMs: 10 + n,
    stream: false,
    attempts: 1,
    inputTokens: 100 * n,
    outputTokens: 10 * n,
    ...over,
  })
}
for (let i = 0; i < 60; i++) {
  add({
    keyName: i % 3 === 0 ? 'team-a' : i % 3 === 1 ? 'team-b' : undefined,
    provider: i % 4 === 0 ? 'anthropic' : 'openai',
    model: i % 4 === 0 ? 'claude-sonnet' : 'gpt-4o',
    requestedModel: i % 4 === 0 ? 'smart' : 'gpt-4o',
    status: i % 7 === 0 ? 429 : i % 11 === 0 ? 500 : 200,
    error: i % 7 === 0 ? 'rate limited upstream' : undefined,
    isCacheHit: i % 5 === 0,
    sessionId: i % 6 === 0 ? 'sess-1' : undefined,
    workspace: i % 2 === 0 ? 'research' : i % 3 === 0 ? 'ops' : undefined,
    person: i % 8 === 0 ? 'ada' : undefined,
    redactions: i % 9 === 0 ? { email: 1 } : undefined,
    guardrails:
      i % 10 === 0
        ? [
            {
              stage: 'input',
              type: 'blocked_patterns',
              check: 'no-secrets',
              detail: 'matched',
              action: i % 20 === 0 ? 'block' : 'flag',
            },
          ]
        : undefined,
    requestBody: { messages: [{ role: 'user', content: i % 4 === 1 ? 'tell me about marmalade' : `question ${i}` }] },
    responseBody: { choices: [{ message: { content: i === 33 ? 'the zebra answer' : 'an answer' } }] },
  })
}
add({ inboundApi: 'mcp', provider: 'files', model: 'read_file', requestedModel: 'files.read_file' })
add({ requestBody: { secret: 'sealed words' }, responseBody: { ok: true } })

let server: PostgresServer
let pool: PgPool
const sqlite = openDatabase(':memory:')
const sealedId = events.length

beforeAll(async () => {
  server = await startPostgres()
  pool = await openPgPool(server.url)
  await migratePg(pool)
  const lite = createLogWriter(sqlite, { flushMs: 60_000, priceBook })
  const pg = createPgLogWriter(pgTarget(pool), { flushMs: 60_000, priceBook })
  const sealedLite = createLogWriter(sqlite, { flushMs: 60_000, cipher, priceBook })
  const sealedPg = createPgLogWriter(pgTarget(pool), { flushMs: 60_000, cipher, priceBook })
  for (const e of events.slice(0, -1)) {
    lite.push(e)
    pg.push(e)
  }
  lite.flush()
  await pg.flush()
  sealedLite.push(events[events.length - 1])
  sealedPg.push(events[events.length - 1])
  sealedLite.flush()
  await sealedPg.flush()
  await Promise.all([lite.close(), pg.close(), sealedLite.close(), sealedPg.close()])
}, 60_000)

afterAll(async () => {
  await pool?.close()
  await server?.stop()
  sqlite.close()
})

const FILTERS: [string, LogFilter][] = [
  ['everything', {}],
  [
    'a time range',
    { from: new Date(DAY + 10 * 1_800_000).toISOString(), to: new Date(DAY + 40 * 1_800_000).toISOString() },
  ],
  ['a model (served or asked for)', { model: 'smart' }],
  ['a provider', { provider: 'anthropic' }],
  ['a key', { key: 'team-a' }],
  ['errors', { status: 'error' }],
  ['one status', { status: 429 }],
  ['cache hits', { cache: 'hit' }],
  ['cache misses', { cache: 'miss' }],
  ['any guardrail', { guardrail: 'any' }],
  ['guardrail blocks', { guardrail: 'block' }],
  ['redacted', { redacted: true }],
  ['a session', { session: 'sess-1' }],
  ['a workspace', { workspace: 'ops' }],
  ['a person', { person: 'ada' }],
  ['a member of two workspaces', { workspaces: ['research', 'ops'] }],
  ['a member of none', { workspaces: [] }],
  ['tool calls', { kind: 'mcp' }],
  ['model calls', { kind: 'model' }],
  ['a body word', { q: 'marmalade' }],
  ['a body word as a prefix', { q: 'marma' }],
  ['two words', { q: 'zebra answer' }],
  ['a request id prefix', { q: 'req_003' }],
  ['an error word', { q: 'limited' }],
  ['a body word, meta only', { q: 'marmalade', searchMetaOnly: true }],
  ['a meta word, meta only', { q: 'smart', searchMetaOnly: true }],
  ['search operators as text', { q: "marmalade | zebra & !x <-> 'y':*" }],
  ['nothing searchable', { q: '!!' }],
  ['a sealed body word', { q: 'sealed' }],
  ['SQL in a value', { key: "team-a' OR '1'='1", model: "x') OR (1=1" }],
  ['search and filters together', { q: 'answer', key: 'team-b', status: 200, workspace: 'research' }],
]

describe('Postgres log queries answer as SQLite does', () => {
  it.each(FILTERS)('%s: every page, total and cursor', async (_name, filter) => {
    let cursor: number | undefined
    for (let page = 0; page < 10; page++) {
      const want = await listLogs(sqlite, filter, { limit: 7, cursor })
      const got = await pgListLogs(pool, filter, { limit: 7, cursor })
      expect(got).toEqual(want)
      if (!got.nextCursor) return
      cursor = Number(got.nextCursor)
    }
  })

  it('the filters are not vacuous: each selects what it says', async () => {
    const total = async (f: LogFilter) => (await pgListLogs(pool, f, { limit: 100 })).total
    expect(await total({})).toBe(events.length)
    expect(await total({ q: 'marmalade' })).toBe(15)
    expect(await total({ q: 'marmalade', searchMetaOnly: true })).toBe(0)
    expect(await total({ q: 'zebra answer' })).toBe(1)
    expect(await total({ q: 'sealed' })).toBe(0)
    expect(await total({ kind: 'mcp' })).toBe(1)
    expect(await total({ workspaces: [] })).toBe(0)
    expect(await total({ q: 'req_0033' })).toBe(1)
    // Values are parameters, search text one quoted tsquery operand: neither can widen the selection.
    expect(await total({ key: "team-a' OR '1'='1" })).toBe(0)
    expect(await total({ q: "zebra' | 'question" })).toBe(0)
  })

  it('a live view gets only the rows after its top one', async () => {
    const got = await pgListLogs(pool, {}, { limit: 50, after: events.length - 3 })
    expect(got.items.map((i) => i.id)).toEqual([events.length, events.length - 1, events.length - 2])
    expect(got).toEqual(await listLogs(sqlite, {}, { limit: 50, after: events.length - 3 }))
  })

  it('a row in detail, bodies opened with the key, unreadable without it, as in SQLite', async () => {
    for (const id of [1, 34, sealedId]) {
      expect(await pgGetLog(pool, id, cipher)).toEqual(getLog(sqlite, id, cipher))
    }
    const sealed = await pgGetLog(pool, sealedId, cipher)
    expect(sealed?.requestBody).toEqual({ secret: 'sealed words' })
    const locked = await pgGetLog(pool, sealedId)
    expect(locked?.requestBody).toBe(UNREADABLE_BODY)
    expect(locked).toEqual(getLog(sqlite, sealedId))
    expect(await pgGetLog(pool, 10_000)).toBeUndefined()
  })

  it('batches (replay, export) hold every matching row once, newest first', async () => {
    const filter: LogFilter = { provider: 'openai' }
    const got = []
    for await (const b of pgLogBatches(pool, filter, 9)) got.push(...b)
    expect(got).toEqual([...logBatches(sqlite, filter, 9)].flat())
    expect(new Set(got.map((i) => i.id)).size).toBe(got.length)
  })

  it('a key or workspace spend since a time, as SQLite sums it', async () => {
    const since = DAY + 20 * 1_800_000
    const lite = (col: string, name: string) =>
      (
        sqlite
          .prepare(`SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM request_logs WHERE ${col} = ? AND created_at >= ?`)
          .get(name, new Date(since).toISOString()) as { usd: number }
      ).usd
    expect(lite('key_name', 'team-a')).toBeGreaterThan(0)
    expect(await pgSpendSince(pool, 'key', 'team-a', since)).toBeCloseTo(lite('key_name', 'team-a'), 9)
    expect(await pgSpendSince(pool, 'workspace', 'ops', since)).toBeCloseTo(lite('workspace', 'ops'), 9)
  })
})

describe('search text becomes a tsquery of words only', () => {
  it.each([
    ['needle', "'needle':*"],
    ['two  words', "'two' & 'words':*"],
    ['ab', "'ab'"],
    ["it's a|b & c", "'it''s' & 'a|b' & 'c'"],
    ['back\\slash', "'back\\\\slash':*"],
    ['!!', null],
  ])('%s → %s', (text, query) => {
    expect(tsQueryText(text)).toBe(query)
  })

  it('meta only weighs every term A', () => {
    expect(tsQueryText('one two', true)).toBe("'one':A & 'two':*A")
  })
})
