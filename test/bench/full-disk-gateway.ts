// The gateway half of test/bench/full-disk.mjs: builds the gateway from the source tree given (this one,
// or an old worktree), with a fresh data dir, optionally fills its database ("database or disk is full"
// on every later write), listens on a free port and prints `port N`. Stops on SIGTERM.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const [root, upstream, full] = process.argv.slice(2)
const { parseConfig } = await import(join(root, 'src-gateway/config/load.ts'))
const { buildGateway } = await import(join(root, 'src-gateway/server.ts'))
const yaml = `providers:\n  mock: { type: openai-compatible, baseUrl: "${upstream}/v1", apiKey: sk-bench }\n`
const app = buildGateway(parseConfig(yaml, 'yaml'), {
  dataDir: mkdtempSync(join(tmpdir(), 'full-disk-')),
  webRoot: false,
})
if (full === 'full') {
  // SQLite's own SQLITE_FULL, as on a full disk: the file may not grow and its pages have no room left.
  app.db.pragma(`max_page_count = ${app.db.pragma('page_count', { simple: true })}`)
  // Rows dated now: retention's first pass (by age) must not free the room again.
  const add = app.db.prepare(
    `INSERT INTO request_logs (created_at, request_id, inbound_api, requested_model, status, latency_ms, attempts)
     VALUES (?, 'filler', 'openai', 'm', 200, 1, 1)`,
  )
  try {
    for (;;) add.run(new Date().toISOString())
  } catch {}
}
await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`port ${app.server.address().port}\n`)
process.on('SIGTERM', () => {
  const stats = app.requestLog.writer?.stats()
  process.stdout.write(`writer ${JSON.stringify(stats)}\n`)
  process.exit(0)
})
