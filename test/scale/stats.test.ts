import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { ACTIONS, measure, type Target } from '../bench/scale-load.js'
import { fillLog } from '../helpers/fill-log.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The Overview over a big log (issue 23): at SCALE_ROWS rows over 30 days (50 000 in `npm test`; set
// SCALE_ROWS=1000000 for the size), a 30-day refresh answers within a second, the request thread
// stays idle while refreshes run back to back (the report worker reads the rollups), and proxied calls keep
// their pace meanwhile. Before rollups, stats read every row of the range on the request thread; before the
// report worker, they read the rollups there in slices, which kept that thread busy all the time.

const ROWS = Number(process.env.SCALE_ROWS ?? 50_000)
const overview30d = ACTIONS.find((a) => a.name === 'overview 30d')!

describe(`stats at ${ROWS} rows`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-scale-'))
  let mock: RunningMock
  let app: FastifyInstance
  let target: Target

  beforeAll(async () => {
    // Stats never read bodies; without them the fill is several times faster.
    fillLog(dir, { rows: ROWS, days: 30, bodyBytes: 0 })
    mock = await startMockUpstream()
    const yaml = `providers:\n  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-test }\nlogs: { maxAgeDays: 36500, maxDbMb: 1000000 }\n`
    app = buildGateway(parseConfig(yaml, 'yaml'), { webRoot: false, dataDir: dir })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    target = { url, admin: adminHeadersOf(app), model: 'mock/gpt-4o' }
  }, 600_000)
  afterAll(async () => {
    await app?.close()
    await mock?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a 30-day Overview refresh (its one stats call) answers within a second', async () => {
    await overview30d.run(target) // warms the file cache, as the second look at a page would
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      await overview30d.run(target)
      times.push(performance.now() - t0)
    }
    // ~0.3 s at 1M rows on the 2-core VM (docs/performance.md), less at the default 50k: slack for a loaded
    // machine. It took 29 s at 1M rows before rollups.
    expect(Math.max(...times), times.join(', ')).toBeLessThan(1000)
  }, 60_000)

  it('the request thread stays idle while 30-day Overviews are computed back to back', async () => {
    await overview30d.run(target)
    const start = performance.eventLoopUtilization()
    const t0 = performance.now()
    for (let runs = 0; runs < 3 || performance.now() - t0 < 2000; runs++) await overview30d.run(target)
    // What is left on this thread: the test's own fetch, the HTTP exchange, the answer's JSON. Before the
    // worker this was 1.0 (the thread never idled); with it, 0.05 here with the VM's other load at 11-14.
    expect(performance.eventLoopUtilization(start).utilization).toBeLessThan(0.3)
  }, 60_000)

  it('proxied calls keep their latency while the 30-day Overview refreshes back to back', async () => {
    const idle = await measure(target, { rps: 20, ms: 3000 })
    const busy = await measure(target, { rps: 20, ms: 3000, action: overview30d })
    const report = JSON.stringify({ idle, busy })
    expect(busy.action!.answered, report).toBeGreaterThan(0)
    expect(busy.proxied.answered, report).toBe(busy.proxied.sent)
    // Twice idle, plus 100 ms: with 60 calls the p99 is the slowest call, and on the shared 2-core VM under a
    // load of 11-14 the idle p99 itself ranged 100-140 ms and the busy one stayed within 30 ms of it; 100 ms
    // is one such hiccup more. Row-reading stats held calls for 700 ms at 50k rows, seconds at 1M; reading
    // rollups on this thread, 151 ms against 11 ms idle at 1M (docs/performance.md).
    expect(busy.proxied.p99!, report).toBeLessThan(2 * idle.proxied.p99! + 100)
  }, 60_000)
})
