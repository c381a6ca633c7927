import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import type { Db } from '../../src-gateway/store/db.js'
import { adminFetch } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The request log on a full disk, through a running gateway: calls are still answered, the queue stays
// bounded and says what it dropped on /metrics, and the Alerts list tells the admin, once per episode.

let mock: RunningMock
let dataDir: string
beforeAll(async () => {
  mock = await startMockUpstream()
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-full-'))
})
afterAll(async () => {
  await mock?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

/**
 * The database refuses every log row with a full disk's message (a trigger in the file, so the log writer's
 * own connection in its worker thread meets it too). The writer's unit tests use SQLite's own SQLITE_FULL
 * (max_page_count); here the log rows alone are refused, so the Alerts list (same database) still shows what
 * the writer raised.
 */
const fillDisk = (db: Db) =>
  db.exec(`CREATE TRIGGER disk_full BEFORE INSERT ON request_logs
           BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
const freeDisk = (db: Db) => db.exec('DROP TRIGGER disk_full')

const metric = async (url: string, name: string) => {
  const text = await (await fetch(`${url}/metrics`)).text()
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)
  return m ? Number(m[1]) : undefined
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('request log on a full disk', () => {
  it('keeps answering, drops past logs.maxQueueRows with a counter, and raises one alert per episode', async () => {
    const yaml = `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1", apiKey: sk-upstream-0123456789abcdef }
logs: { maxQueueRows: 20 }
`
    const app: FastifyInstance = buildGateway(parseConfig(yaml, 'yaml'), { dataDir, webRoot: false })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      fillDisk(app.db!)
      const call = () =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
        })
      for (let i = 0; i < 60; i++) expect((await call()).status).toBe(200)
      const dropped =
        (await until(
          () => metric(url, 'switchyard_log_rows_dropped_total'),
          (n) => (n ?? 0) >= 40,
        )) ?? 0
      expect(dropped).toBeGreaterThanOrEqual(40)
      expect(await metric(url, 'switchyard_log_queue_depth')).toBeLessThanOrEqual(20)
      expect(await metric(url, 'switchyard_log_writes_failing')).toBe(1)

      const alerts = async () =>
        (await (await adminFetch(app, `${url}/admin/v1/alerts?kind=log_writer`)).json()) as {
          items: { message: string; level: string }[]
        }
      const failing = await until(alerts, (a) => a.items.length > 0)
      expect(failing.items).toHaveLength(1)
      expect(failing.items[0].message).toMatch(/request log writes are failing \(database or disk is full\)/)

      // Room again: the queued rows are written, and the episode's end is one more alert with the count.
      freeDisk(app.db!)
      // The next retry comes within the backoff reached so far (it doubles up to 30 s).
      const after = await until(alerts, (a) => a.items.length > 1, 30_000)
      expect(after.items).toHaveLength(2)
      expect(after.items[0].message).toMatch(new RegExp(`work again after \\d+ s; ${dropped} log rows were dropped`))
      expect(await metric(url, 'switchyard_log_writes_failing')).toBe(0)
      const written = app.db!.prepare('SELECT count(*) FROM request_logs').pluck().get()
      expect(written).toBe(60 - dropped)
    } finally {
      await app.close()
    }
  }, 60_000)
  it('on close with the disk still full, says in one warning exactly how many answered calls lost their row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-full-close-'))
    const yaml = `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1", apiKey: sk-upstream-0123456789abcdef }
`
    const app = buildGateway(parseConfig(yaml, 'yaml'), { dataDir: dir, webRoot: false })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      fillDisk(app.db!)
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
        })
        expect(res.status).toBe(200)
      }
      await app.close()
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', onWarning)
      rmSync(dir, { recursive: true, force: true })
    }
    const report = warnings.filter((w) => w.includes('at shutdown'))
    expect(report).toEqual([
      'request log: 25 rows could not be written at shutdown (database or disk is full); they are lost',
    ])
  })
})
