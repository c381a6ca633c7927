import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SourceServe, serveFromSource } from '../helpers/serve-source.js'
import { CHAT_COMPLETION, type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// A hostile or broken upstream must not be able to take the gateway's memory: replies, error bodies and
// stream lines are capped, the client gets a clear 502 and the upstream connection is dropped. The
// gateway runs in its own process so its peak RSS can be read from /proc.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let serve: SourceServe
let dataDir: string

const GB = 1024 ** 3
const CHUNK = Buffer.alloc(64 * 1024, 'a')
/** Stop feeding a gateway that keeps everything (the code before the caps) before it hurts the machine. */
const RSS_GUARD = 600 * 1024 ** 2

/** Kilobyte figures from /proc/<pid>/status: VmRSS now, VmHWM the peak. */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

interface Feed {
  sent: number
  closed: boolean
  /** The gateway dropped the connection before the whole body was sent. */
  cutOff: boolean
}
const feeds: Feed[] = []

/** Writes `prefix` and then up to `total` bytes of `a`, lazily (respecting backpressure), until the peer leaves. */
function feed(res: ServerResponse, status: number, contentType: string, prefix: string, total: number) {
  const f: Feed = { sent: 0, closed: false, cutOff: false }
  feeds.push(f)
  res.writeHead(status, { 'content-type': contentType })
  res.write(prefix)
  res.on('close', () => {
    f.closed = true
    f.cutOff = f.sent < total
  })
  const pump = () => {
    while (f.sent < total && !res.destroyed) {
      if (serve && memoryOf(serve.pid, 'VmRSS') > RSS_GUARD) return res.destroy()
      f.sent += CHUNK.length
      if (!res.write(CHUNK)) return res.once('drain', pump)
    }
    if (!res.destroyed) res.end()
  }
  pump()
}

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': (req: RecordedRequest, res) => {
      const { model } = req.body as { model: string }
      if (model === 'huge')
        return feed(res, 200, 'application/json', '{"id":"x","choices":[{"message":{"content":"', GB)
      if (model === 'huge-error') return feed(res, 500, 'application/json', '{"error":{"message":"', GB)
      if (model === 'endless-line') return feed(res, 200, 'text/event-stream', 'data: {"choices":"', GB)
      sendJson(res, 200, CHAT_COMPLETION)
    },
  })
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bounded-'))
  const configPath = join(dataDir, 'config.yaml')
  writeFileSync(
    configPath,
    `
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [m, huge, huge-error, endless-line] }
  down: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [m] }
routes:
  once: { retries: { attempts: 0 }, targets: [ { model: up/huge-error } ] }
`,
  )
  serve = await serveFromSource(dataDir, ['--config', configPath])
})

afterAll(async () => {
  await serve?.kill()
  await up?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

/** Waits (up to 2 s) for the last feed to see its connection closed, then says whether it was cut short. */
async function lastFeedCutOff(): Promise<boolean> {
  const f = feeds.at(-1)
  for (let i = 0; i < 200 && f && !f.closed; i++) await new Promise((r) => setTimeout(r, 10))
  return f?.cutOff === true
}

/** The status of the newest request-log row, read through the admin API with the token `serve` made. */
async function lastLoggedStatus(): Promise<number | undefined> {
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${serve.url}/admin/v1/logs`, { headers: { authorization: `Bearer ${token}` } })
    const { items } = (await res.json()) as { items: { status: number; model: string }[] }
    const row = items.find((r) => r.model === 'endless-line')
    if (row) return row.status
    await new Promise((r) => setTimeout(r, 100))
  }
  return undefined
}

function chat(model: string, stream = false) {
  return fetch(`${serve.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(15_000),
  })
}

describe('upstream replies are bounded', () => {
  // First: the other cases leave the gateway's RSS high on code that buffers, which would cut this feed short.
  it('an endless error body is cut off and the client still gets an error', async () => {
    const res = await chat('once')
    expect(res.status).toBeGreaterThanOrEqual(500)
    await res.text()
    expect(await lastFeedCutOff()).toBe(true)
    expect(feeds.at(-1)!.sent).toBeLessThan(64 * 1024 ** 2)
  }, 20_000)

  it('a 1 GB reply gets a 502 naming the cap, the upstream is cut off and the RSS stays under 300 MB', async () => {
    const res = await chat('up/huge')
    expect(res.status).toBe(502)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/upstream reply exceeds/)
    expect(await lastFeedCutOff()).toBe(true)
    expect(memoryOf(serve.pid, 'VmHWM')).toBeLessThan(300 * 1024 ** 2)
  }, 20_000)

  it('an SSE line without end gets a 502 error event and the upstream is cut off', async () => {
    const res = await chat('up/endless-line', true)
    const text = await res.text()
    // The stream had started (headers sent), so the 502 arrives as the stream's error event and in the log.
    expect(text).toMatch(/upstream reply exceeds 8 MB in one stream line/)
    expect(await lastLoggedStatus()).toBe(502)
    expect(await lastFeedCutOff()).toBe(true)
    expect(memoryOf(serve.pid, 'VmHWM')).toBeLessThan(300 * 1024 ** 2)
  }, 20_000)
})
