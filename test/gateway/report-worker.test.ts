import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway } from '../../src-gateway/server.js'
import { openDatabase } from '../../src-gateway/store/db.js'
import { openReadOnly } from '../../src-gateway/store/report-jobs.js'
import { REPORT_NICE, ReportService } from '../../src-gateway/store/report-service.js'
import { fillLog } from '../helpers/fill-log.js'
import { adminHeadersOf } from '../helpers/gateway.js'

// Reports run in a worker thread on a read-only connection (issue 23): they answer what the gateway has just
// written, a full queue or a stuck worker gets a 503 in the admin API's format, and a dead worker is replaced.

const YAML = `providers:\n  openai: { type: openai, apiKey: sk-test, models: [gpt-4o] }\nlogs: { maxAgeDays: 36500, maxDbMb: 1000000 }\n`
const MINUTE = 60_000

function event(i: number, startedAt: number): LogEvent {
  return {
    requestId: `req_worker_${i}`,
    startedAt,
    inboundApi: 'openai',
    requestedModel: 'gpt-4o',
    provider: 'openai',
    model: 'gpt-4o',
    status: 200,
    latencyMs: 100 + i,
    inputTokens: 10,
    outputTokens: 5,
    attempts: 1,
  } as LogEvent
}

describe('report worker behind the admin API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-report-worker-'))
  let app: FastifyInstance
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: adminHeadersOf(app) })
    return { status: res.statusCode, json: () => JSON.parse(res.body) }
  }

  beforeAll(async () => {
    fillLog(dir, { rows: 2000, days: 2, bodyBytes: 0 })
    app = buildGateway(parseConfig(YAML, 'yaml'), {
      webRoot: false,
      dataDir: dir,
      reportLimits: { queue: 3, timeoutMs: 30_000 },
    })
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers stats and pages with the rows the gateway has just written, edge minutes included', async () => {
    const to = new Date(Date.now() + MINUTE).toISOString()
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString()
    const before = (await get(`/admin/v1/stats?from=${from}&to=${to}&bucket=hour`)).json().totals.requests
    expect(before).toBe(2000)
    // Written in this process while the worker has its own connection: one in the current (partial) minute,
    // read from rows, one in a whole minute, read from minute cells.
    app.gateway.sink.push(event(1, Date.now() - 5 * MINUTE))
    app.gateway.sink.push(event(2, Date.now()))
    app.requestLog.flush()
    const stats = await get(`/admin/v1/stats?from=${from}&to=${to}&bucket=hour`)
    expect(stats.status).toBe(200)
    expect(stats.json().totals.requests).toBe(2002)
    const page = (await get('/admin/v1/logs?limit=2')).json()
    expect(page.items.map((r: { requestId: string }) => r.requestId)).toEqual(['req_worker_2', 'req_worker_1'])
    const overview = (await get(`/admin/v1/stats/overview?from=${from}&to=${to}&bucket=hour&groupBy=key`)).json()
    expect(overview.overall.totals.requests).toBe(2002)
    expect(Object.keys(overview.groups).sort()).toEqual(['key', 'model', 'provider'])
  })

  it('refuses reports past the queue bound with a 503 in the admin error format, and serves the rest', async () => {
    const url = '/admin/v1/stats?bucket=day'
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(url)))
    const refused = answers.filter((a) => a.status === 503)
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(3)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0].json().error).toMatchObject({
      code: 'reports_busy',
      message: expect.stringContaining('too many reports'),
    })
    expect((await get(url)).status).toBe(200)
  })

  it.runIf(process.platform === 'linux')('runs reports at a lower CPU priority than the request thread', async () => {
    expect((await get('/admin/v1/logs?limit=1')).status).toBe(200)
    // Field 19 of a thread's stat is its nice value (after the command name, which may hold spaces).
    const nice = (task: string) =>
      Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1].split(' ')[16])
    const threads = readdirSync('/proc/self/task').map(nice)
    expect(threads).toContain(Math.min(19, nice(String(process.pid)) + REPORT_NICE))
  })
})

describe('report worker faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-report-faults-'))
  const faulty = () => new URL('../helpers/faulty-report-worker.mjs', import.meta.url)
  const logsJob = (q?: string) => ({ kind: 'logs' as const, filter: { q }, page: { limit: 5 } })

  beforeAll(() => {
    fillLog(dir, { rows: 500, days: 1, bodyBytes: 0 })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a worker that dies fails its jobs with a 503, and the next report starts a new one', async () => {
    const db = openDatabase(dir)
    const reports = new ReportService(db, { queue: 8, timeoutMs: 30_000 }, faulty)
    try {
      expect(JSON.parse(await reports.run(logsJob())).items).toHaveLength(5)
      await expect(reports.run(logsJob('crash-the-worker'))).rejects.toMatchObject({
        status: 503,
        opts: { code: 'report_worker_exited' },
      })
      expect(JSON.parse(await reports.run(logsJob())).items).toHaveLength(5)
    } finally {
      await reports.close()
      db.close()
    }
  })

  it('a report past its timeout gets a 503, and the stuck worker is replaced', async () => {
    const db = openDatabase(dir)
    const reports = new ReportService(db, { queue: 8, timeoutMs: 1000 }, faulty)
    try {
      await reports.run(logsJob()) // the worker is up: the timeout below is the job's, not the start's
      const t0 = performance.now()
      await expect(reports.run(logsJob('hold-the-worker'))).rejects.toMatchObject({
        status: 503,
        opts: { code: 'report_timeout' },
      })
      expect(performance.now() - t0).toBeLessThan(1900)
      expect(JSON.parse(await reports.run(logsJob())).items).toHaveLength(5)
    } finally {
      await reports.close()
      db.close()
    }
  })

  it('exports in a worker of its own, at most two at once, and a stopped export frees its place', async () => {
    const db = openDatabase(dir)
    const reports = new ReportService(db)
    try {
      const elu = performance.eventLoopUtilization()
      let text = ''
      for await (const chunk of reports.startExport({ filter: {}, format: 'jsonl' })) text += chunk.toString()
      const lines = text.trimEnd().split('\n')
      expect(lines).toHaveLength(500)
      expect(JSON.parse(lines[0])).toMatchObject({ id: 500 })
      // Reading and formatting happened in the worker: this thread mostly waited.
      expect(performance.eventLoopUtilization(elu).utilization).toBeLessThan(0.5)

      const csv = reports.startExport({ filter: {}, format: 'csv' })
      expect(String((await csv.next()).value)).toMatch(/^id,createdAt,/)
      const second = reports.startExport({ filter: {}, format: 'jsonl' })
      await second.next()
      expect(() => reports.startExport({ filter: {}, format: 'jsonl' })).toThrow(
        expect.objectContaining({ opts: { status: 503, code: 'exports_busy' } }),
      )
      // The client went away: the stream ends the generator, which ends its worker.
      await csv.return(undefined)
      const third = reports.startExport({ filter: { q: 'nothing-matches-this' }, format: 'jsonl' })
      expect((await third.next()).done).toBe(true)
      await second.return(undefined)

      // Clients gone before the first chunk: their generators never started, and still give their places back.
      for (let i = 0; i < 3; i++) await reports.startExport({ filter: {}, format: 'csv' }).return(undefined)
      const after = reports.startExport({ filter: { q: 'nothing-matches-this' }, format: 'jsonl' })
      expect((await after.next()).done).toBe(true)
    } finally {
      await reports.close()
      db.close()
    }
  })

  it('paces an export, so a download at full speed cannot take the CPU proxied calls need', async () => {
    const db = openDatabase(dir)
    const reports = new ReportService(db, { queue: 8, timeoutMs: 30_000, exportBytesPerS: 200_000 })
    try {
      const t0 = performance.now()
      let bytes = 0
      for await (const chunk of reports.startExport({ filter: {}, format: 'jsonl' })) bytes += chunk.length
      expect(bytes).toBeGreaterThan(100_000)
      // Each chunk leaves when its bytes are due, not when the worker has read it.
      expect(performance.now() - t0).toBeGreaterThanOrEqual((bytes / 200_000) * 1000 * 0.9)
    } finally {
      await reports.close()
      db.close()
    }
  })

  it("the worker's connection cannot write", () => {
    const ro = openReadOnly(join(dir, 'switchyard.db'))
    try {
      expect(() => ro.prepare('DELETE FROM request_logs').run()).toThrow(/readonly/i)
      expect(ro.prepare('SELECT count(*) FROM request_logs').pluck().get()).toBe(500)
    } finally {
      ro.close()
    }
  })
})
