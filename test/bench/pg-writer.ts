/**
 * The Postgres log writer's throughput (store/pg/log-writer.ts): ROWS rows (default 20 000, each with a ~1 KB request
 * and response body, across 3 models, 2 keys and a workspace) pushed as fast as the writer takes them into a throwaway
 * Postgres (test/helpers/postgres-server.ts), then flushed; prints rows/s end to end and the writer's flushes' event
 * loop time per row (what a gateway pays on its own thread: pricing, scrubbing, the arrays and the cells).
 *
 *   npx tsx test/bench/pg-writer.ts            # ROWS=100000 for a longer run
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { createPriceBook } from '../../src-gateway/pricing/price-book.js'
import { createPgLogWriter, pgTarget } from '../../src-gateway/store/pg/log-writer.js'
import { migratePg } from '../../src-gateway/store/pg/migrations.js'
import { openPgPool } from '../../src-gateway/store/pg/pool.js'
import { startPostgres } from '../helpers/postgres-server.js'

const ROWS = Number(process.env.ROWS ?? 20_000)
const config = parseConfig(
  'providers: { openai: { type: openai, apiKey: sk-bench-0123456789abcdef } }',
  'yaml',
).resolved
const priceBook = createPriceBook(config)
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'o3']
const prompt = 'Summarise the following text in one sentence. '.repeat(20)

const event = (i: number, now: number): LogEvent => ({
  requestId: `req_bench_${i}`,
  startedAt: now + i,
  inboundApi: 'openai',
  requestedModel: MODELS[i % 3],
  provider: 'openai',
  model: MODELS[i % 3],
  keyName: `key-${i % 2}`,
  workspace: i % 4 === 0 ? 'research' : undefined,
  status: i % 50 === 0 ? 500 : 200,
  latencyMs: 200 + (i % 700),
  ttftMs: 80 + (i % 90),
  stream: i % 2 === 0,
  attempts: 1,
  inputTokens: 400 + (i % 100),
  outputTokens: 120 + (i % 60),
  requestBody: { model: MODELS[i % 3], messages: [{ role: 'user', content: `${prompt} #${i}` }] },
  responseBody: { choices: [{ message: { role: 'assistant', content: `${prompt.slice(0, 400)} #${i}` } }] },
})

const server = await startPostgres()
try {
  const pool = await openPgPool(server.url)
  await migratePg(pool)
  const writer = createPgLogWriter(pgTarget(pool), { priceBook, maxQueueRows: ROWS + 1 })
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  const now = Date.now()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  // Pushed in slices with a turn of the loop between them, as calls end on a gateway.
  for (let i = 0; i < ROWS; i += 100) {
    for (let j = i; j < Math.min(ROWS, i + 100); j++) writer.push(event(j, now))
    await new Promise((r) => setImmediate(r))
  }
  await writer.flush()
  while (writer.stats().pending > 0) await writer.flush()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  loop.disable()
  const [{ n }] = await pool.query<{ n: number }>('SELECT count(*) AS n FROM request_logs')
  const stats = writer.stats()
  console.log(
    JSON.stringify({
      rows: ROWS,
      stored: n,
      rowsPerSecond: Math.round(ROWS / (ms / 1000)),
      gatewayCpuUsPerRow: Number(((cpu.user + cpu.system) / ROWS).toFixed(1)),
      eventLoopDelayP99Ms: Number((loop.percentile(99) / 1e6).toFixed(1)),
      retries: stats.retries,
      dropped: stats.dropped,
    }),
  )
  await writer.close()
  await pool.close()
} finally {
  await server.stop()
}
