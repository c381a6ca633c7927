import { mkdtempSync, rmSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { watchLoopStalls } from '../helpers/loop-stalls.js'
import { runTool } from '../helpers/run-tool.js'

// Rows are dated 2025; background retention must not delete them mid-test.
const YAML = 'providers:\n  openai: { type: openai, apiKey: sk-test-0123456789 }\nlogs: { maxAgeDays: 36500 }\n'
const ROWS = 40_000
const T0 = Date.parse('2025-03-01T00:00:00Z')

/** Counts the request log rows that the export's statements hand out, to see when reading stops. */
function countRowsRead(app: FastifyInstance): () => number {
  const db = app.db!
  const prepare = db.prepare.bind(db)
  let read = 0
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql)
    if (!/FROM request_logs/.test(sql)) return stmt
    const all = stmt.all.bind(stmt)
    const iterate = stmt.iterate.bind(stmt)
    stmt.all = (...args: unknown[]) => {
      const rows = all(...args)
      read += rows.length
      return rows
    }
    stmt.iterate = function* (...args: unknown[]) {
      for (const row of iterate(...args)) {
        read++
        yield row
      }
    }
    return stmt
  }) as typeof db.prepare
  return () => read
}

describe('logs export at size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-export-'))
  let app: FastifyInstance
  let url: string

  beforeAll(async () => {
    app = buildGateway(parseConfig(YAML, 'yaml'), { webRoot: false, dataDir: dir })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    for (let i = 0; i < ROWS; i++) {
      app.gateway.sink.push({
        requestId: `req_${i}`,
        startedAt: T0 + i * 60_000,
        inboundApi: 'openai',
        requestedModel: 'gpt-4o',
        provider: 'openai',
        model: 'gpt-4o',
        status: i % 50 === 0 ? 502 : 200,
        error: i % 50 === 0 ? 'upstream failed with a long enough message to weigh something' : undefined,
        latencyMs: 100 + (i % 900),
        stream: false,
        ttftMs: 40,
        inputTokens: 1200,
        outputTokens: 300,
        attempts: 1,
      })
      if (i % 1000 === 999) app.requestLog.flush()
    }
    app.requestLog.flush()
  }, 60_000)
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  // Before, the whole export ran in one tick: /health waited for all of it (40k rows: one to three seconds here).
  it('keeps answering other calls while a big export streams', async () => {
    const stalls = watchLoopStalls()
    // The download runs in another process, as a browser or curl would: it reads as fast as the socket
    // delivers, so the export never waits for its reader (a reader on this thread would pace it). It prints
    // when the first byte came, when the last did, and the lines it got.
    const exporting = runTool(
      process.execPath,
      [
        '-e',
        `fetch(process.argv[1], { headers: { authorization: process.argv[2] } }).then(async (res) => {
          let lines = 0
          let first = 0
          for await (const chunk of res.body) {
            first ||= Date.now()
            for (const byte of chunk) if (byte === 10) lines++
          }
          console.log(first, Date.now(), lines)
        })`,
        `${url}/admin/v1/logs/export?format=jsonl`,
        adminHeadersOf(app).authorization,
      ],
      {},
      tmpdir(),
    )
    const health: { at: number; ms: number }[] = []
    let done = false
    void exporting.finally(() => {
      done = true
    })
    while (!done) {
      const at = Date.now()
      const t = performance.now()
      const res = await fetch(`${url}/health`)
      expect(res.status).toBe(200)
      await res.arrayBuffer()
      health.push({ at, ms: performance.now() - t })
    }
    const [firstByte, lastByte, lines] = (await exporting).stdout.trim().split(' ').map(Number)
    const longest = stalls.stop()
    expect(lines).toBe(ROWS)
    const during = health.filter((h) => h.at >= firstByte && h.at + h.ms <= lastByte).map((h) => h.ms)
    const median = during.sort((a, b) => a - b)[Math.floor(during.length / 2)]
    console.log(
      `export of ${ROWS} rows: ${lastByte - firstByte} ms; /health answered ${during.length}× during it, ` +
        `median ${median?.toFixed(1)} ms, slowest ${during.at(-1)?.toFixed(1)} ms; ` +
        `longest stall ${longest.cpuMs.toFixed(1)} ms CPU, ${longest.wallMs.toFixed(1)} ms wall`,
    )
    // Bounds loose enough for a busy machine (other processes take the core at times), far from the old
    // behaviour: no /health answer at all while the export ran.
    expect(during.length).toBeGreaterThanOrEqual(10)
    expect(median).toBeLessThan(50)
  })

  it('exports only the rows of a time range', async () => {
    const from = new Date(T0 + 100 * 60_000).toISOString()
    const to = new Date(T0 + 200 * 60_000).toISOString()
    const res = await fetch(`${url}/admin/v1/logs/export?format=jsonl&from=${from}&to=${to}`, {
      headers: adminHeadersOf(app),
    })
    const rows = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows).toHaveLength(100)
    expect(rows[0].requestId).toBe('req_199')
    expect(rows.at(-1).requestId).toBe('req_100')
  })

  it('answers HEAD with the headers and starts no export, so HEAD calls cannot use up the export places', async () => {
    for (let i = 0; i < 4; i++) {
      const head = await fetch(`${url}/admin/v1/logs/export?format=jsonl`, {
        method: 'HEAD',
        headers: adminHeadersOf(app),
      })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-disposition')).toMatch(/^attachment; filename="switchyard-logs-.*\.jsonl"$/)
    }
    const from = new Date(T0).toISOString()
    const to = new Date(T0 + 60_000).toISOString()
    const res = await fetch(`${url}/admin/v1/logs/export?format=jsonl&from=${from}&to=${to}`, {
      headers: adminHeadersOf(app),
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(await res.text()).requestId).toBe('req_0')
  })

  it('stops reading the database when the client goes away', async () => {
    const rowsRead = countRowsRead(app)
    // A plain socket, closed after the first chunk: the client is gone, not just slow to read.
    await new Promise<void>((resolve, reject) => {
      const req = get(
        `${url}/admin/v1/logs/export?format=csv`,
        { headers: adminHeadersOf(app), agent: false },
        (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        },
      )
      req.on('error', reject)
    })
    // Let whatever batch was under way finish, then check that no more follow.
    await new Promise((r) => setTimeout(r, 300))
    const afterAbort = rowsRead()
    await new Promise((r) => setTimeout(r, 300))
    expect(rowsRead()).toBe(afterAbort)
    expect(afterAbort).toBeLessThan(ROWS / 4)
  })
})
