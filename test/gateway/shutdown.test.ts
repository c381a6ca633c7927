import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveFromSource } from '../helpers/serve-source.js'
import { drainedOrClosed, type RecordedRequest, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 23: SIGTERM cut long streams without an error event or a log row, and forced exit 1 after 10 s.
// Now streams get `server.shutdownGraceMs` to finish; the rest end with an error in their caller's own
// format and are logged, and serve says what happened.

let up: Awaited<ReturnType<typeof startScriptedUpstream>>
let dataDir: string

const frame = (content: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`

/** Streams one chunk every 100 ms: `chunks` of them, or until the gateway hangs up. */
async function paced(res: ServerResponse, chunks: number) {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (let i = 0; i < chunks && !res.destroyed; i++) {
    res.write(frame(`${i} `))
    await new Promise((r) => setTimeout(r, 100))
  }
  res.end('data: [DONE]\n\n')
}

/** Streams 64 KB chunks for as long as they are taken. */
async function flood(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const big = frame('x'.repeat(64 * 1024))
  while (!res.destroyed) {
    if (!res.write(big)) await drainedOrClosed(res)
  }
}

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': async (req: RecordedRequest, res) => {
      const { model } = req.body as { model: string }
      // `hang` never answers; `flood` streams as fast as it is read; the others stream slowly.
      if (model === 'flood') return flood(res)
      if (model !== 'hang') await paced(res, model === 'short' ? 10 : Number.POSITIVE_INFINITY)
    },
  })
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-shutdown-'))
})
afterAll(async () => {
  await up.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

/** Starts a streamed call and resolves once its first bytes arrived; `rest` is all it gets after that. */
async function openStream(url: string, path: string, body: object): Promise<{ rest: Promise<string> }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...body, stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }),
  })
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = decoder.decode((await reader.read()).value, { stream: true })
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) return text
      text += decoder.decode(value, { stream: true })
    }
  })()
  return { rest }
}

describe('graceful shutdown', () => {
  it('lets a stream finish within the grace period, ends the other calls with an error in their format, and logs them all', async () => {
    const configPath = join(dataDir, 'config.yaml')
    writeFileSync(
      configPath,
      `
server: { shutdownGraceMs: 2500 }
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1" }
logs: { storeBodies: false }
`,
    )
    const serve = await serveFromSource(dataDir, ['--config', configPath])
    const short = await openStream(serve.url, '/v1/chat/completions', { model: 'up/short' })
    const endless = await openStream(serve.url, '/v1/chat/completions', { model: 'up/endless' })
    const anthropic = await openStream(serve.url, '/v1/messages', { model: 'up/endless' })
    const whole = fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/hang', messages: [{ role: 'user', content: 'go' }] }),
    })
    await new Promise((r) => setTimeout(r, 200))

    const t0 = performance.now()
    const code = await serve.stop()
    const took = performance.now() - t0
    expect(code).toBe(0)
    // The 2.5 s grace, the last rows and the exit, with room for a loaded machine; the endless calls never
    // end, so a shutdown that waited for them would not finish at all.
    expect(took).toBeLessThan(8000)
    expect(serve.output()).toMatch(/stopped; 3 of 4 calls in flight ended early after the 2\.5 s grace period/)

    // Finished within the grace period: the whole answer.
    expect(await short.rest).toMatch(/9 [\s\S]*data: \[DONE\]/)
    // Ended: an error in the caller's own format, then the end of the stream.
    const openaiEnd = await endless.rest
    expect(openaiEnd).toMatch(/data: \{"error":\{[^\n]*shutting down/)
    expect(openaiEnd).not.toMatch(/\[DONE\]/)
    expect(await anthropic.rest).toMatch(/event: error\ndata: \{"type":"error","error":\{[^\n]*shutting down/)
    // A call waiting for a whole answer gets the error as its response.
    const res = await whole
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/shutting down/)

    // Their rows were written before the process exited: a restart shows them.
    const again = await serveFromSource(dataDir, ['--config', configPath])
    try {
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
      const res = await fetch(`${again.url}/admin/v1/logs?limit=10`, { headers: { authorization: `Bearer ${token}` } })
      const { items } = (await res.json()) as { items: { model: string; status: number; error?: string | null }[] }
      const byStatus = items.map((r) => `${r.model} ${r.status}`).sort()
      expect(byStatus).toEqual(['endless 503', 'endless 503', 'hang 503', 'short 200'])
      for (const r of items.filter((i) => i.status === 503)) expect(r.error).toMatch(/shutting down/)
    } finally {
      expect(await again.stop()).toBe(0)
    }
  }, 60_000)

  it('ends a stream whose caller stopped reading, so the shutdown still finishes in time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-shutdown-'))
    const configPath = join(dir, 'config.yaml')
    writeFileSync(
      configPath,
      `server: { shutdownGraceMs: 1000 }\nproviders:\n  up: { type: openai-compatible, baseUrl: "${up.url}/v1" }\nlogs: { storeBodies: false }\n`,
    )
    const serve = await serveFromSource(dir, ['--config', configPath])
    // A client that takes the first bytes and then reads no more (a paused terminal, say): the gateway's
    // writes back up and it waits for the socket to drain.
    const { hostname, port } = new URL(serve.url)
    const req = request({
      host: hostname,
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
    })
    req.end(JSON.stringify({ model: 'up/flood', stream: true, messages: [{ role: 'user', content: 'go' }] }))
    const res = await new Promise<import('node:http').IncomingMessage>((resolve) => req.once('response', resolve))
    await new Promise((r) => res.once('data', r))
    res.pause()
    await new Promise((r) => setTimeout(r, 500))
    try {
      const t0 = performance.now()
      expect(await serve.stop()).toBe(0)
      // The 1 s grace and the exit, with room for a loaded machine; the old code waited on the stalled socket
      // and was killed after grace + 10 s.
      expect(performance.now() - t0).toBeLessThan(6000)
      expect(serve.output()).toMatch(/stopped; 1 of 1 call in flight ended early/)
      const db = new Database(join(dir, 'switchyard.db'), { readonly: true })
      const rows = db.prepare('SELECT model, status, error FROM request_logs').all()
      db.close()
      expect(rows).toEqual([{ model: 'flood', status: 503, error: expect.stringMatching(/shutting down/) }])
    } finally {
      res.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
