import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { openDatabase } from '../../src-gateway/store/db.js'

describe('gateway foundation', () => {
  const app = buildGateway(parseConfig('providers: {}', 'yaml'), { webRoot: false })
  let base = ''
  beforeAll(async () => {
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(() => app.close())

  it('answers GET /health with {"status":"ok"} and a request id', async () => {
    const res = await fetch(`${base}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
    expect(res.headers.get('x-request-id')).toMatch(/^req_/)
  })

  it('publishes the public contract as OpenAPI at /openapi.json with a UI at /docs', async () => {
    const doc = await (await fetch(`${base}/openapi.json`)).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/chat/completions',
        '/v1/messages',
        '/v1/responses',
        '/v1/prompts/{name}/run',
        '/api/chat',
      ]),
    )
    const ui = await fetch(`${base}/docs`)
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('swagger')
  })

  it('gives each request its own id', async () => {
    const [a, b] = await Promise.all([fetch(`${base}/health`), fetch(`${base}/health`)])
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'))
  })

  it('answers unknown paths with a 404 in the OpenAI error shape', async () => {
    const res = await fetch(`${base}/v1/nothing-here`)
    expect(res.status).toBe(404)
    const body = await res.json()
    expect(body.error.message).toContain('/v1/nothing-here')
    expect(body.error.type).toBe('invalid_request_error')
  })
})

describe('database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-db-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('creates the schema once, in WAL mode, and reopens without re-running migrations', () => {
    const db = openDatabase(dir)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    const version = db.pragma('user_version', { simple: true })
    expect(version).toBeGreaterThan(0)
    db.prepare(
      "INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms) VALUES ('t', 'r', 'openai', 200, 1)",
    ).run()
    db.close()
    const again = openDatabase(dir)
    expect(again.pragma('user_version', { simple: true })).toBe(version)
    expect(again.prepare('SELECT count(*) AS n FROM request_logs').get()).toEqual({ n: 1 })
    again.close()
  })
})
