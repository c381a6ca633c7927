import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { enforceRetention } from '../../src-gateway/store/retention.js'
import { type FillResult, fillLog, RARE_TERMS } from '../helpers/fill-log.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { watchLoopStalls } from '../helpers/loop-stalls.js'
import { runTool } from '../helpers/run-tool.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Search, filters, export and retention on a big log (issue 23): reduced size by default, the full million with
// SCALE_ROWS=1000000. Bounds are those the issue sets at 1M rows; at the reduced size the old code still
// misses them (its LIKE search and its one-tick export and retention grow with the log).
const ROWS = Number(process.env.SCALE_ROWS ?? 50_000)
const DAY = 86_400_000
/** An export or a retention pass over the whole log: about 15 s at 1M rows here. */
const LONG = { timeout: Math.max(20_000, ROWS / 20) }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]

describe(`logs at ${ROWS.toLocaleString('en')} rows`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-logs-scale-'))
  let filled: FillResult
  let mock: RunningMock
  let app: FastifyInstance
  let url: string

  const admin = async (path: string) => {
    const t = performance.now()
    const res = await fetch(`${url}${path}`, { headers: adminHeadersOf(app) })
    expect(res.status, path).toBe(200)
    const body = await res.json()
    return { body, ms: performance.now() - t }
  }

  /** Proxied chat calls, one after another, until `until` settles; their latencies in ms. */
  const proxiedUntil = async (until: Promise<unknown>) => {
    let done = false
    void until.finally(() => {
      done = true
    })
    const latencies: number[] = []
    while (!done) {
      const t = performance.now()
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
      })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
      latencies.push(performance.now() - t)
    }
    return latencies
  }

  beforeAll(async () => {
    filled = fillLog(dir, { rows: ROWS, days: 30, rareEvery: Math.max(1000, Math.floor(ROWS / 10)) })
    console.log(`filled ${ROWS} rows in ${filled.ms.toFixed(0)} ms`)
    mock = await startMockUpstream()
    const yaml = `providers:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\nlogs: { maxAgeDays: 36500 }\n`
    app = buildGateway(parseConfig(yaml, 'yaml'), { webRoot: false, dataDir: dir })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  }, 600_000)
  afterAll(async () => {
    await app?.close()
    await mock?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  // 300 ms at a million rows (the bound), proportionally less below: the old LIKE scan grows with the log.
  const searchBoundMs = Math.max(50, (300 * ROWS) / 1_000_000)
  it(`finds a rare word in the prompts or the errors in under ${searchBoundMs} ms`, async () => {
    for (const [term, expected] of [
      [RARE_TERMS.body, filled.rare.body],
      [RARE_TERMS.error, filled.rare.error],
    ] as const) {
      await admin(`/admin/v1/logs?q=${term}`)
      const { body, ms } = await admin(`/admin/v1/logs?q=${term}&limit=100`)
      console.log(`search "${term}": ${ms.toFixed(1)} ms, ${body.total} rows`)
      expect(body.total).toBe(expected)
      expect(ms).toBeLessThan(searchBoundMs)
    }
  })

  it('pages by provider, key and errors in under 100 ms, counting at most 10,000', async () => {
    for (const filter of ['provider=ollama', 'key=alice', 'status=error', 'status=429', '']) {
      const first = await admin(`/admin/v1/logs?${filter}&limit=100`)
      const next = await admin(`/admin/v1/logs?${filter}&limit=100&cursor=${first.body.nextCursor}`)
      console.log(
        `filter "${filter}": ${first.ms.toFixed(1)} ms, then ${next.ms.toFixed(1)} ms (total ${first.body.total}${first.body.isTotalCapped ? '+' : ''})`,
      )
      expect(first.body.items).toHaveLength(100)
      // The bound; such a page takes 2–7 ms on a 1M-row log (docs/operations.md), the rest is slack for
      // a loaded machine.
      expect(Math.max(first.ms, next.ms)).toBeLessThan(100)
    }
  })

  it('never holds the thread through a whole scan for a filter that matches little or nothing', async () => {
    const stalls = watchLoopStalls()
    for (const filter of ['model=none-such', 'key=alice&status=error', 'cache=hit&provider=lmstudio']) {
      const { body, ms } = await admin(`/admin/v1/logs?${filter}&limit=100`)
      console.log(`filter "${filter}": ${ms.toFixed(1)} ms (total ${body.total})`)
    }
    const longest = stalls.stop()
    console.log(
      `sparse filters: longest stall ${longest.cpuMs.toFixed(1)} ms CPU, ${longest.wallMs.toFixed(1)} ms wall`,
    )
    // The list's steps take a few ms each (docs/operations.md); 50 ms of CPU in one turn leaves room for a
    // flush of the writer and a GC landing in the same turn. A whole-scan filter held the thread for the scan.
    expect(longest.cpuMs).toBeLessThan(50)
  })

  it('keeps proxied calls answering while the whole log is exported', LONG, async () => {
    const idle = await proxiedUntil(new Promise((r) => setTimeout(r, 1000)))
    const stalls = watchLoopStalls()
    // Downloaded by another process, as fast as the socket delivers (a reader on this thread would pace it).
    const exporting = runTool(
      process.execPath,
      [
        '-e',
        `fetch(process.argv[1], { headers: { authorization: process.argv[2] } }).then(async (res) => {
          let bytes = 0
          for await (const chunk of res.body) bytes += chunk.length
          console.log(bytes)
        })`,
        `${url}/admin/v1/logs/export?format=jsonl`,
        adminHeadersOf(app).authorization,
      ],
      {},
      tmpdir(),
      600_000,
    )
    const t = performance.now()
    const during = await proxiedUntil(exporting)
    const ms = performance.now() - t
    const longest = stalls.stop()
    const bytes = Number((await exporting).stdout.trim())
    console.log(
      `export: ${(bytes / 1e6).toFixed(0)} MB in ${ms.toFixed(0)} ms; proxied p50/p99 idle ` +
        `${median(idle).toFixed(1)}/${p99(idle).toFixed(1)} ms, during ${median(during).toFixed(1)}/` +
        `${p99(during).toFixed(1)} ms over ${during.length} calls; longest stall ${longest.cpuMs.toFixed(1)} ms CPU`,
    )
    expect(bytes).toBeGreaterThan(ROWS * 300)
    expect(during.length).toBeGreaterThanOrEqual(10)
    // Loose for a busy machine; before, calls waited for the whole export (586 ms CPU in one stall at 50k rows).
    expect(median(during)).toBeLessThan(Math.max(50, 3 * median(idle)))
    expect(longest.cpuMs).toBeLessThan(100)
  })

  it('retention deletes a third of the log without holding the thread for more than 150 ms', LONG, async () => {
    const db = app.db!
    const stalls = watchLoopStalls()
    const t = performance.now()
    const retention = Promise.resolve(
      enforceRetention(db, { maxAgeDays: 20, maxDbMb: 1_000_000 }, Date.parse(filled.to)),
    )
    const during = await proxiedUntil(retention)
    const out = await retention
    const longest = stalls.stop()
    console.log(
      `retention: ${out.deletedByAge} rows in ${(performance.now() - t).toFixed(0)} ms; longest stall ` +
        `${longest.cpuMs.toFixed(1)} ms CPU, ${longest.wallMs.toFixed(1)} ms wall; proxied p50 ${median(during).toFixed(1)} ms`,
    )
    expect(out.deletedByAge).toBeGreaterThan(ROWS / 4)
    // Chunks aim at 10 ms, but the chunk (or vacuum step) that meets SQLite's WAL checkpoint takes ~30 ms, and
    // one that also meets a full-text merge up to ~70; the stall also holds a flush of the proxied calls'
    // rows. Measured 57-80 ms on an idle machine, and up to 131 ms in a fresh-clone CI run, where the other test
    // files on the same two cores slow the same work down. The old code held 177 ms here on an idle machine (one
    // tick for the whole run).
    expect(longest.cpuMs).toBeLessThan(150)
    // Search follows: the rows that went are no longer found.
    const cutoff = new Date(Date.parse(filled.to) - 20 * DAY).toISOString()
    const { body } = await admin(`/admin/v1/logs?q=${RARE_TERMS.body}&limit=1000`)
    expect(body.items.every((r: { createdAt: string }) => r.createdAt >= cutoff)).toBe(true)
    expect(body.total).toBeLessThan(filled.rare.body)
  })
})
