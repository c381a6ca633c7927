import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import type { LogEvent } from '../../core/log-event.js'
import { openDatabase } from '../db.js'
import { exportChunks } from '../log-export.js'
import { createLogWriter } from '../log-writer.js'
import { getSession, listProjects, listSessions, type SessionsFilter } from '../session-queries.js'
import { pgLogStore } from './log-store.js'
import { createPgLogWriter, pgTarget } from './log-writer.js'
import { migratePg } from './migrations.js'
import { openPgPool, type PgPool } from './pool.js'

// Sessions, projects and exports on Postgres answer as on SQLite for the same events (each through its own writer).

const DAY = Date.parse('2025-05-01T00:00:00Z')
const events: LogEvent[] = []
for (let i = 0; i < 90; i++) {
  events.push({
    requestId: `req_${i}`,
    startedAt: DAY + i * 600_000,
    inboundApi: 'anthropic',
    requestedModel: i % 4 === 0 ? 'claude-haiku' : 'claude-sonnet',
    provider: 'anthropic',
    model: i % 4 === 0 ? 'claude-haiku' : 'claude-sonnet',
    status: i % 17 === 0 ? 500 : 200,
    latencyMs: 100 + i,
    stream: true,
    attempts: 1,
    inputTokens: 500 + i,
    outputTokens: 50 + i,
    cachedTokens: i % 3 === 0 ? 100 : undefined,
    isCacheHit: i % 11 === 0,
    sessionId: `s-${i % 12}`,
    project: i % 12 < 4 ? 'api' : i % 12 < 8 ? 'web' : undefined,
    clientTool: 'claude-code',
    keyName: i % 2 === 0 ? 'dev' : 'ci',
    workspace: i % 12 < 6 ? 'eng' : 'ops',
    requestBody: { messages: [{ role: 'user', content: `say "hi", ${i}` }] },
  })
}

let server: PostgresServer
let pool: PgPool
const sqlite = openDatabase(':memory:')

beforeAll(async () => {
  server = await startPostgres()
  pool = await openPgPool(server.url)
  await migratePg(pool)
  const lite = createLogWriter(sqlite, { flushMs: 60_000 })
  const pg = createPgLogWriter(pgTarget(pool), { flushMs: 60_000 })
  for (const e of events) {
    lite.push(e)
    pg.push(e)
  }
  lite.flush()
  await pg.flush()
  await Promise.all([lite.close(), pg.close()])
}, 60_000)

afterAll(async () => {
  await pool?.close()
  await server?.stop()
  sqlite.close()
})

const range = { from: new Date(DAY).toISOString(), to: new Date(DAY + 86_400_000).toISOString() }
const FILTERS: [string, SessionsFilter][] = [
  ['a day', range],
  ['part of it', { from: new Date(DAY + 3_600_000).toISOString(), to: new Date(DAY + 8 * 3_600_000).toISOString() }],
  ['a project', { ...range, project: 'web' }],
  ['a key', { ...range, key: 'ci' }],
  ['a tool', { ...range, tool: 'claude-code' }],
  ['a member', { ...range, workspaces: ['ops'] }],
]

describe('Postgres sessions, projects and exports answer as SQLite does', () => {
  const store = () => pgLogStore(pool)

  it.each(FILTERS)('sessions, %s: every page', async (_name, filter) => {
    let cursor: number | undefined
    for (let i = 0; i < 10; i++) {
      const want = await listSessions(sqlite, filter, { limit: 5, cursor })
      const got = JSON.parse(await store().report({ kind: 'sessions', filter, page: { limit: 5, cursor } }))
      expect(got).toEqual(JSON.parse(JSON.stringify(want)))
      if (!want.nextCursor) break
      cursor = Number(want.nextCursor)
    }
  })

  it.each(FILTERS)('projects, %s', async (_name, filter) => {
    const { project: _p, ...rest } = filter
    const got = JSON.parse(await store().report({ kind: 'projects', filter: rest }))
    expect(got).toEqual(JSON.parse(JSON.stringify(listProjects(sqlite, rest))))
  })

  it('one session in detail, paged, and a member sees only their calls of it', async () => {
    for (const workspaces of [undefined, ['eng']]) {
      let cursor: number | undefined
      for (let i = 0; i < 5; i++) {
        const want = getSession(sqlite, 's-3', { limit: 3, cursor, workspaces })
        expect(await store().getSession('s-3', { limit: 3, cursor, workspaces })).toEqual(want ?? undefined)
        if (!want?.nextCursor) break
        cursor = Number(want.nextCursor)
      }
    }
    expect(await store().getSession('s-3', { limit: 3, workspaces: ['nobody'] })).toBeUndefined()
  })

  it('exports the same CSV and JSONL text', async () => {
    for (const format of ['csv', 'jsonl'] as const) {
      const filter = { key: 'dev' }
      const chunks: Buffer[] = []
      for await (const c of store().startExport({ filter, format })) chunks.push(c)
      const text = Buffer.concat(chunks).toString()
      expect(text).toBe([...exportChunks(sqlite, filter, format)].join(''))
      expect(text.split('\n').length).toBeGreaterThan(40)
    }
  })

  it('refuses a third export at once, like the SQLite side', async () => {
    const s = store()
    const a = s.startExport({ filter: {}, format: 'csv' })
    const b = s.startExport({ filter: {}, format: 'csv' })
    await a.next()
    await b.next()
    expect(() => s.startExport({ filter: {}, format: 'csv' })).toThrow(/exports are running/)
    await a.return(undefined)
    await b.return(undefined)
    // Ended before their first chunk (a client gone at once): their slots come back too.
    await s.startExport({ filter: {}, format: 'csv' }).return(undefined)
    await s.startExport({ filter: {}, format: 'csv' }).return(undefined)
    const c = s.startExport({ filter: {}, format: 'csv' })
    const d = s.startExport({ filter: {}, format: 'csv' })
    expect(() => s.startExport({ filter: {}, format: 'csv' })).toThrow(/exports are running/)
    await c.return(undefined)
    await d.return(undefined)
  })
})
