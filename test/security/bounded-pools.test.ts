import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

// A provider's `maxConnections` caps every connection the gateway opens to it, not only chat calls: the
// model listing (at start and from the Test button), the Test button's one-token chat, embeddings and
// Ollama's /api/ps go through the same pool. With a cap of 1 and a chat stream holding that connection,
// the others wait their turn instead of opening connections of their own.

interface CountingUpstream {
  url: string
  /** TCP connections the gateway opened to this upstream. */
  sockets: number
  /** The most requests this upstream was answering at one time. */
  maxInFlight: number
  /** What the held chat stream waits for; `release` resolves it. */
  held: Promise<void>
  release(): void
  stop(): Promise<void>
}

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void | Promise<void>

async function startCountingUpstream(routes: Record<string, Handler>): Promise<CountingUpstream> {
  let inFlight = 0
  let release!: () => void
  const held = new Promise<void>((r) => {
    release = r
  })
  const server: Server = createServer(async (req, res) => {
    inFlight++
    up.maxInFlight = Math.max(up.maxInFlight, inFlight)
    res.once('close', () => inFlight--)
    let text = ''
    for await (const c of req) text += c
    const handler = routes[`${req.method} ${req.url}`]
    if (!handler) {
      res.writeHead(404).end()
      return
    }
    await handler(req, text ? JSON.parse(text) : {}, res)
  })
  server.on('connection', () => up.sockets++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const up: CountingUpstream = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets: 0,
    maxInFlight: 0,
    held,
    release: () => release(),
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
  return up
}

const json = (res: ServerResponse, body: unknown): void => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let up: CountingUpstream | undefined
let gw: TestGateway | undefined

afterEach(async () => {
  up?.release()
  await gw?.close()
  await up?.stop()
  gw = undefined
  up = undefined
})

afterAll(async () => {
  await gw?.close()
})

/** Opens a chat stream and reads its first bytes: from now on the upstream's one connection is busy. */
async function holdChat(model: string): Promise<Response> {
  const res = await fetch(`${gw!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(res.status).toBe(200)
  return res
}

describe('maxConnections caps every kind of call to a provider', () => {
  it('OpenAI-compatible: listing, the Test button and embeddings share the chat pool', async () => {
    const frame = (o: object) => `data: ${JSON.stringify(o)}\n\n`
    const current = await startCountingUpstream({
      'GET /v1/models': (_req, _body, res) => json(res, { object: 'list', data: [{ id: 'm', object: 'model' }] }),
      'POST /v1/chat/completions': async (_req, body, res) => {
        const message = { role: 'assistant', content: 'pong' }
        if (!body.stream) {
          return json(res, {
            id: 'p',
            object: 'chat.completion',
            created: 1,
            model: 'm',
            choices: [{ index: 0, message, finish_reason: 'stop' }],
          })
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write(frame({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'hello' } }] }))
        await current.held
        res.write(frame({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))
        res.end('data: [DONE]\n\n')
      },
      'POST /v1/embeddings': (_req, _body, res) =>
        json(res, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1, 0] }], model: 'e' }),
    })
    up = current
    gw = await startGateway(`
providers:
  up: { type: openai-compatible, baseUrl: "${current.url}/v1", models: [m, e], maxConnections: 1 }
`)
    // The listing at start has run (on the provider's pool).
    await gw.admin('/admin/v1/providers/up/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })

    const chat = await holdChat('up/m')
    const others = [
      gw.admin('/admin/v1/providers/up/test', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm' }),
      }),
      fetch(`${gw.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'up/e', input: 'x' }),
      }),
    ]
    await sleep(300)
    const whileHeld = current.maxInFlight
    current.release()
    expect(await chat.text()).toContain('hello')
    const [test, embeddings] = await Promise.all(others)
    expect(await test.json()).toMatchObject({ ok: true, error: null })
    expect(embeddings.status).toBe(200)
    expect(whileHeld).toBe(1)
    expect(current.maxInFlight).toBe(1)
    expect(current.sockets).toBe(1)
  })

  it('Ollama: /api/ps and the listing share the chat pool', async () => {
    const line = (o: object) => `${JSON.stringify(o)}\n`
    const current = await startCountingUpstream({
      'GET /api/tags': (_req, _body, res) => json(res, { models: [{ name: 'm', model: 'm' }] }),
      'GET /api/ps': (_req, _body, res) => json(res, { models: [{ name: 'm', model: 'm', size: 1 }] }),
      'POST /api/chat': async (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' })
        res.write(line({ model: 'm', message: { role: 'assistant', content: 'hello' }, done: false }))
        await current.held
        res.end(
          line({
            model: 'm',
            message: { role: 'assistant', content: '' },
            done: true,
            done_reason: 'stop',
            prompt_eval_count: 1,
            eval_count: 1,
          }),
        )
      },
    })
    up = current
    gw = await startGateway(`
providers:
  ol: { type: ollama, baseUrl: "${current.url}", maxConnections: 1 }
`)
    await gw.admin('/admin/v1/providers/ol/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })

    const chat = await holdChat('ol/m')
    const ps = fetch(`${gw.url}/api/ps`)
    const listing = gw.admin('/admin/v1/providers/ol/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    await sleep(300)
    const whileHeld = current.maxInFlight
    current.release()
    expect(await chat.text()).toContain('hello')
    expect(await (await ps).json()).toMatchObject({ models: [{ name: 'ol/m' }] })
    expect(await (await listing).json()).toMatchObject({ ok: true })
    expect(whileHeld).toBe(1)
    expect(current.maxInFlight).toBe(1)
    expect(current.sockets).toBe(1)
  })
})
