import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { openDatabase } from '../../src-gateway/store/db.js'
import { listLogs } from '../../src-gateway/store/log-queries.js'
import { MIGRATIONS } from '../../src-gateway/store/migrations.js'
import { adminHeadersOf } from '../helpers/gateway.js'

// Rows are dated 2025; background retention must not delete them mid-test.
const PROVIDERS = 'providers:\n  openai: { type: openai, apiKey: sk-test-0123456789 }\n'
const YAML = `${PROVIDERS}logs: { maxAgeDays: 36500 }\n`
const T0 = Date.parse('2025-03-01T10:00:00Z')
const BODY_KEY = 'ab'.repeat(32)

function event(i: number, words = ''): LogEvent {
  return {
    requestId: `req_${String(i).padStart(5, '0')}`,
    startedAt: T0 + i * 1000,
    inboundApi: 'openai',
    requestedModel: 'gpt-4o',
    provider: 'openai',
    model: 'gpt-4o',
    status: 200,
    latencyMs: 100,
    stream: false,
    attempts: 1,
    requestBody: { model: 'gpt-4o', messages: [{ role: 'user', content: `question number ${i} ${words}` }] },
    responseBody: { choices: [{ message: { role: 'assistant', content: `answer ${i}` } }] },
  }
}

async function gateway(dir: string, yaml = YAML, env: NodeJS.ProcessEnv = {}): Promise<FastifyInstance> {
  const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, dataDir: dir })
  await app.ready()
  return app
}

const getJson = async (app: FastifyInstance, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: adminHeadersOf(app) })
  expect(res.statusCode).toBe(200)
  return JSON.parse(res.body)
}

describe('logs search', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-search-'))
  let app: FastifyInstance

  beforeAll(async () => {
    app = await gateway(dir)
    for (let i = 0; i < 200; i++) app.gateway.sink.push(event(i, i === 137 ? 'Zebrafish élan' : ''))
    app.requestLog.flush()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const ids = async (q: string) =>
    (await getJson(app, `/admin/v1/logs?q=${encodeURIComponent(q)}`)).items.map(
      (r: { requestId: string }) => r.requestId,
    )

  // Before, the search was one substring: words in another order, or apart, found nothing.
  it('finds rows holding every word, in any order, in the prompt, the answer or the request id', async () => {
    expect(await ids('zebrafish')).toEqual(['req_00137'])
    expect(await ids('ELAN zebrafish')).toEqual(['req_00137'])
    expect(await ids('137 question')).toEqual(['req_00137'])
    expect(await ids('answer 42')).toEqual(['req_00042'])
    expect(await ids('req_00042')).toEqual(['req_00042'])
    // The last word matches as a prefix, for search as you type.
    expect(await ids('zebraf')).toEqual(['req_00137'])
    expect(await ids('zebrafish 138')).toEqual([])
  })

  it('reads search syntax in the text as words, and never fails on it', async () => {
    for (const q of ['" OR "', 'meta:req', 'NEAR(question answer)', '*', 'zebrafish OR answer', '^question']) {
      const res = await app.inject({
        method: 'GET',
        url: `/admin/v1/logs?q=${encodeURIComponent(q)}`,
        headers: adminHeadersOf(app),
      })
      expect(res.statusCode, q).toBe(200)
    }
    // "OR" is a word to find, not an operator: no row holds it.
    expect(await ids('zebrafish OR answer')).toEqual([])
    expect(await ids('" - "')).toEqual([])
  })

  // Before, every page counted every matching row (a second full pass of the filter), and `after` was ignored.
  it('counts up to 10,000 and says so past it; `after` returns only newer rows', async () => {
    const page = await getJson(app, '/admin/v1/logs?limit=10')
    expect(page).toMatchObject({ total: 200, isTotalCapped: false, nextCursor: expect.any(String) })
    const top = page.items[0].id
    for (let i = 200; i < 10_205; i++) {
      app.gateway.sink.push(event(i))
      if (i % 1000 === 0) app.requestLog.flush()
    }
    app.requestLog.flush()
    const big = await getJson(app, '/admin/v1/logs?limit=10')
    expect(big).toMatchObject({ total: 10_000, isTotalCapped: true })
    const newer = await getJson(app, `/admin/v1/logs?limit=1000&after=${top}&q=question`)
    expect(newer.items).toHaveLength(1000)
    expect(newer.items.every((r: { id: number }) => r.id > top)).toBe(true)
    expect(newer).toMatchObject({ total: 10_000, isTotalCapped: true })
    const justNew = await getJson(app, `/admin/v1/logs?after=${big.items[1].id}`)
    expect(justNew).toMatchObject({ total: 1, isTotalCapped: false, nextCursor: null })
    expect(justNew.items.map((r: { id: number }) => r.id)).toEqual([big.items[0].id])
  })
})

describe('logs search with encrypted bodies', () => {
  it('indexes metadata only: no word of a sealed body reaches the index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-search-enc-'))
    try {
      const app = await gateway(dir, `${PROVIDERS}logs: { maxAgeDays: 36500, encryptBodies: true }\n`, {
        SWITCHYARD_BODY_KEY: BODY_KEY,
      })
      app.gateway.sink.push({ ...event(1, 'confidentialword'), error: 'upstream refused' })
      app.requestLog.flush()
      expect((await getJson(app, '/admin/v1/logs?q=confidentialword')).items).toHaveLength(0)
      expect((await getJson(app, '/admin/v1/logs?q=refused')).items).toHaveLength(1)
      expect((await getJson(app, '/admin/v1/logs?q=req_00001')).items).toHaveLength(1)
      // The Logs page reads this to say that search covers the metadata only.
      expect((await getJson(app, '/admin/v1/settings')).logs.encryptBodies).toBe(true)
      const terms = app.db!.prepare('SELECT count(*) FROM request_logs_fts WHERE request_logs_fts MATCH ?').pluck()
      expect(terms.get('confidentialword')).toBe(0)
      expect(terms.get('question')).toBe(0)
      await app.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the search migration', () => {
  it('indexes the rows a database already holds when it is opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-search-mig-'))
    try {
      const version = MIGRATIONS.findIndex((sql) => sql.includes('request_logs_fts'))
      const old = new Database(join(dir, 'switchyard.db'))
      for (const sql of MIGRATIONS.slice(0, version)) old.exec(sql)
      old.pragma(`user_version = ${version}`)
      const { lastInsertRowid } = old
        .prepare(
          `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms, error)
           VALUES ('2025-01-01T00:00:00.000Z', 'req_old', 'openai', 502, 1, 'gateway timeout')`,
        )
        .run()
      old
        .prepare('INSERT INTO request_log_bodies (log_id, request_json, response_json) VALUES (?, ?, ?)')
        .run(lastInsertRowid, JSON.stringify({ messages: [{ content: 'an older prompt' }] }), 'not json: cut off')
      old.close()

      const db = openDatabase(dir)
      for (const q of ['older prompt', 'cut off', 'timeout', 'req_old']) {
        const { items } = await listLogs(db, { q }, { limit: 10 })
        expect(
          items.map((r) => r.requestId),
          q,
        ).toEqual(['req_old'])
      }
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
