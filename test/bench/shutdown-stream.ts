// `node --import tsx test/bench/shutdown-stream.ts [SOURCE_ROOT]`: issue 23's "shutdown with long streams",
// on `switchyard serve` from SOURCE_ROOT (default this tree; an old worktree gives the "before") with its
// default settings: two streams that never end are in flight at SIGTERM. Prints how long serve took to
// exit and with what code, what the callers saw at the end of their streams, and how many rows the log has.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'

const here = resolve(import.meta.dirname, '../..')
const root = resolve(process.argv[2] ?? here)

// An upstream whose chat streams never end: a chunk every 100 ms.
const upstream = createServer((req, res) => {
  req.resume()
  // No model list: the gateway would wait for it to know the model.
  if (req.method !== 'POST') return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const chunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }],
  }
  const timer = setInterval(() => res.write(`data: ${JSON.stringify(chunk)}\n\n`), 100)
  res.on('close', () => clearInterval(timer))
})
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`

const dataDir = mkdtempSync(join(tmpdir(), 'shutdown-bench-'))
writeFileSync(join(dataDir, 'config.yaml'), `providers:\n  up: { type: openai-compatible, baseUrl: "${up}/v1" }\n`)
const serve = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    join(root, 'src-gateway/cli.ts'),
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--config',
    join(dataDir, 'config.yaml'),
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
)
let out = ''
serve.stderr.on('data', (d) => {
  out += d
})
const exited = new Promise<number | null>((r) => serve.once('exit', r))
const url = await new Promise<string>((r) =>
  serve.stdout.on('data', (d) => {
    out += d
    const m = /listening on (\S+)/.exec(out)
    if (m) r(m[1])
  }),
)

/** Opens a stream; `end` is how it ended (wrapped: an async function would wait for the inner promise). */
async function stream(path: string, body: object): Promise<{ end: Promise<string> }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...body, stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'go' }] }),
  })
  const reader = res.body!.getReader()
  await reader.read()
  const end = (async () => {
    let text = ''
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined, cut: true }))
      if (r.done)
        return 'cut' in r ? 'connection cut' : /error/.test(text.slice(-400)) ? 'error event' : 'ended without error'
      text += new TextDecoder().decode(r.value)
    }
  })()
  return { end }
}
const ends = [await stream('/v1/chat/completions', { model: 'up/m' }), await stream('/v1/messages', { model: 'up/m' })]

const t0 = performance.now()
serve.kill('SIGTERM')
const code = await exited
const took = ((performance.now() - t0) / 1000).toFixed(1)
const seen = await Promise.all(ends.map((s) => s.end))
const db = new Database(join(dataDir, 'switchyard.db'), { readonly: true })
const rows = db.prepare('SELECT status FROM request_logs').all() as { status: number }[]
db.close()
console.log(
  `shutdown: exit ${code} after ${took} s; callers saw: ${seen.join(', ')}; rows: ${rows.length} (${rows.map((r) => r.status).join(', ')})`,
)
console.log(
  out
    .split('\n')
    .filter((l) => /switchyard:/.test(l))
    .join('\n'),
)
upstream.close()
upstream.closeAllConnections()
rmSync(dataDir, { recursive: true, force: true })
