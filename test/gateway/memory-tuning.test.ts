import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Pool } from 'undici'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type SourceServe, serveFromSource } from '../helpers/serve-source.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// `switchyard serve` as a user runs it (its config in the data folder points at the mock): under sustained
// load the young generation stays at its cap (src-gateway/memory-tuning.ts) instead of V8's default 32 MB,
// and the process says so in /metrics.

// Two semi-spaces of 8 MB each.
const CAP = 16 * 1024 * 1024
let dir: string
let mock: RunningMock
let gateway: SourceServe

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-memory-'))
  mock = await startMockUpstream()
  writeFileSync(
    join(dir, 'config.yaml'),
    `providers:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1", apiKey: sk-test }\n`,
  )
  gateway = await serveFromSource(dir)
})

afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Reads one sample of a Prometheus family from /metrics. */
async function metric(pool: Pool, series: string): Promise<number> {
  const res = await pool.request({ method: 'GET', path: '/metrics' })
  const text = await res.body.text()
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  if (!line) throw new Error(`no ${series} in /metrics`)
  return Number(line.slice(series.length + 1))
}

it('keeps the young generation at its cap under sustained load', { timeout: 120_000 }, async () => {
  const pool = new Pool(gateway.url, { connections: 16 })
  let sent = 0
  // Large enough answers and enough of them that V8's defaults would grow the young generation to 32 MB.
  const body = JSON.stringify({
    model: 'mock/mock-gpt',
    stream: true,
    messages: [{ role: 'user', content: 'memory '.repeat(400) }],
  })
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (sent < 6000) {
        sent++
        const res = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json' },
          body,
        })
        expect(res.statusCode).toBe(200)
        await res.body.text()
      }
    }),
  )
  const young = await metric(pool, 'nodejs_heap_space_size_total_bytes{space="new"}')
  await pool.close()
  // It grew (it starts at 1 MB; V8's default would take it to 32 MB under this load) and stopped at the cap.
  expect(young).toBeGreaterThanOrEqual(CAP / 2)
  expect(young).toBeLessThanOrEqual(CAP)
})
