import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { ACTIONS, measure, type Target } from '../bench/scale-load.js'
import { fillLog } from '../helpers/fill-log.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The Overview over a big log (issue 23): at SCALE_ROWS rows over 30 days (50 000 in `npm test`; set
// SCALE_ROWS=1000000 for the size), a 30-day refresh answers within a second and proxied calls keep
// their pace while it runs in a loop. Before rollups, stats read every row of the range on the request thread.

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

  it('a 30-day Overview refresh (all its stats calls) answers within a second', async () => {
    await overview30d.run(target) // warms the file cache, as the second look at a page would
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      await overview30d.run(target)
      times.push(performance.now() - t0)
    }
    expect(Math.max(...times), times.join(', ')).toBeLessThan(1000)
  }, 60_000)

  it('proxied calls keep their latency while the 30-day Overview refreshes back to back', async () => {
    const idle = await measure(target, { rps: 20, ms: 3000 })
    const busy = await measure(target, { rps: 20, ms: 3000, action: overview30d })
    const report = JSON.stringify({ idle, busy })
    expect(busy.action!.answered, report).toBeGreaterThan(0)
    expect(busy.proxied.answered, report).toBe(busy.proxied.sent)
    // Twice idle, plus 250 ms: in `npm test` other test files run on the second core, and one of 60 calls
    // meeting their burst is this p99. Row-reading stats held calls for 700 ms at 50k rows, seconds at 1M.
    expect(busy.proxied.p99!, report).toBeLessThan(2 * idle.proxied.p99! + 250)
  }, 60_000)
})
