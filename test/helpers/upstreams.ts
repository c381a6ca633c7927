import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

export interface RunningMock {
  url: string
  stop(): Promise<void>
}

/** Starts the deterministic mock provider (OpenAI, Anthropic, Ollama wire formats) on a free port. */
export async function startMockUpstream(args: string[] = []): Promise<RunningMock> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(import.meta.dirname, '../mocks/mock-upstream.mjs'), '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(String(d))
      if (m) resolve(Number(m[1]))
      else reject(new Error(`mock said: ${d}`))
    })
    child.once('exit', (code) => reject(new Error(`mock exited with ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: unknown
}

export type ScriptedHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>

/**
 * A mock upstream whose answers each test scripts per path (tools, images, errors, broken streams,
 * Gemini and llama.cpp shapes). Records every request it receives.
 */
export async function startScriptedUpstream(
  routes: Record<string, ScriptedHandler>,
): Promise<RunningMock & { requests: RecordedRequest[] }> {
  const requests: RecordedRequest[] = []
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      // keep raw text
    }
    const path = (req.url ?? '/').split('?')[0]
    const rec = { method: req.method ?? 'GET', path, headers: req.headers, body }
    requests.push(rec)
    const handler = routes[`${rec.method} ${path}`] ?? routes[path]
    if (!handler) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `no mock for ${path}` } }))
      return
    }
    await handler(rec, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A minimal OpenAI chat completion: model `m` answers `ok` (3 prompt tokens, 1 completion token). */
export const CHAT_COMPLETION = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
}

/**
 * Until `res` can take more, or is gone. Both listeners go once either fires, so an upstream that floods a client
 * which stopped reading does not pile `close` listeners onto its response.
 */
export const drainedOrClosed = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done)
      resolve()
    }
    res.once('drain', done).once('close', done)
  })

/** Writes SSE frames; `end: false` leaves the stream cut off mid-answer (a broken upstream). */
export function sendSse(res: ServerResponse, frames: string[], opts: { end?: boolean } = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const f of frames) res.write(f)
  // Let the frames reach the gateway before the connection drops.
  if (opts.end === false) setTimeout(() => res.destroy(), 20)
  else res.end()
}

/** A provider that answers every chat completion with CHAT_COMPLETION and lists one model, `m`. */
export function startChatUpstream(): Promise<RunningMock & { requests: RecordedRequest[] }> {
  return startScriptedUpstream({
    '/v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_COMPLETION),
    '/v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'm', object: 'model' }] }),
  })
}

/** Polls `probe` until it is true or `ms` have passed; resolves with the time it took, or throws. */
export async function within(ms: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const start = performance.now()
  for (;;) {
    if (await probe()) return performance.now() - start
    if (performance.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
