import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { drainedOrClosed, type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 18: embeddings took the first target of their route (no strategy, retries, fallbacks or breakers),
// count_tokens asked only the first target, and neither was waited for by a shutdown. Every inbound call
// now goes through the same executor and is tracked while in flight.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway
const hits = new Map<string, number>()
let release: (() => void) | undefined
let floodClosed: Promise<unknown> | undefined

function count(model: string): number {
  const n = (hits.get(model) ?? 0) + 1
  hits.set(model, n)
  return n
}

const embedding = (model: string) => ({
  object: 'list',
  data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
  model,
  usage: { prompt_tokens: 2, total_tokens: 2 },
})

/** Waits until `release` is called (set by the test), then answers. */
const held = () => new Promise<void>((resolve) => (release = resolve))

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/embeddings': async (req: RecordedRequest, res) => {
      const { model } = req.body as { model: string }
      count(model)
      if (model === 'emb-down' || model === 'emb-dead') {
        return sendJson(res, 500, { error: { message: 'boom', type: 'server_error' } })
      }
      if (model === 'emb-held') await held()
      return sendJson(res, 200, embedding(model))
    },
    'POST /v1/chat/completions': async (_req: RecordedRequest, res) => {
      // Streams 64 KB frames for as long as they are taken: a client that stops reading leaves the gateway
      // waiting for its socket to drain.
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const frame = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x'.repeat(64 * 1024) }, finish_reason: null }] })}\n\n`
      floodClosed = new Promise((resolve) => res.once('close', resolve))
      while (!res.destroyed) {
        if (!res.write(frame)) await drainedOrClosed(res)
      }
    },
    'POST /v1/messages/count_tokens': async (req: RecordedRequest, res) => {
      const { model } = req.body as { model: string }
      count(`count:${model}`)
      if (model === 'claude-down')
        return sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: 'boom' } })
      if (model === 'claude-held') await held()
      return sendJson(res, 200, { input_tokens: 42 })
    },
  })
  gw = await startGateway(`
server:
  breaker: { failureThreshold: 3, cooldownMs: 10000, minRequests: 1000 }
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1" }
  claude: { type: anthropic, apiKey: sk-ant-x, baseUrl: "${up.url}" }
routes:
  emb-fallback: { retries: { attempts: 0 }, targets: [ { model: up/emb-down }, { model: up/emb-ok } ] }
  emb-breaker: { retries: { attempts: 0 }, targets: [ { model: up/emb-dead } ] }
  count-fallback:
    retries: { attempts: 0 }
    targets: [ { model: claude/claude-down }, { model: claude/claude-ok } ]
`)
})
afterAll(async () => {
  release?.()
  await gw?.close()
  await up?.stop()
})

const post = (path: string, body: unknown) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  })

describe('embeddings through the executor', () => {
  it("falls back to the route's next target when the first one fails", async () => {
    const res = await post('/v1/embeddings', { model: 'emb-fallback', input: 'hello' })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-switchyard-model')).toBe('emb-ok')
    expect((await res.json()).data[0].embedding).toEqual([0.1, 0.2])
    const event = gw.events.at(-1)!
    expect(event).toMatchObject({
      inboundApi: 'embeddings',
      status: 200,
      model: 'emb-ok',
      attempts: 2,
      isFallback: true,
    })
    expect(event.attemptFailures).toEqual([expect.objectContaining({ model: 'emb-down', status: 500 })])
  })

  it("opens the target's circuit after repeated failures", async () => {
    for (let i = 0; i < 3; i++)
      expect((await post('/v1/embeddings', { model: 'emb-breaker', input: 'x' })).status).toBe(500)
    const refused = await post('/v1/embeddings', { model: 'emb-breaker', input: 'x' })
    expect(refused.status).toBe(503)
    expect((await refused.json()).error.message).toMatch(/circuit open/)
    expect(hits.get('emb-dead')).toBe(3)
  })
})

describe('count_tokens through the executor', () => {
  it("asks the route's next target for an exact count when the first one fails", async () => {
    const res = await post('/v1/messages/count_tokens', {
      model: 'count-fallback',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.headers.get('x-switchyard-token-count')).toBeNull()
    expect(await res.json()).toEqual({ input_tokens: 42 })
    expect(hits.get('count:claude-down')).toBe(1)
  })
})

describe('calls in flight', () => {
  for (const [name, path, body] of [
    ['embeddings', '/v1/embeddings', { model: 'up/emb-held', input: 'x' }],
    [
      'count_tokens',
      '/v1/messages/count_tokens',
      { model: 'claude/claude-held', messages: [{ role: 'user', content: 'hi' }] },
    ],
  ] as const) {
    it(`a shutdown waits for ${name} calls`, async () => {
      const inFlight = gw.app.gateway.inFlight
      const answer = post(path, body)
      const until = Date.now() + 2000
      while (!release && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
      let idle = false
      const waiting = inFlight.idle().then(() => {
        idle = true
      })
      await new Promise((r) => setTimeout(r, 50))
      expect(idle).toBe(false)
      release!()
      release = undefined
      expect((await answer).status).toBe(200)
      await waiting
      expect(idle).toBe(true)
    })
  }
})

describe('the stream writer', () => {
  it('ends the call as aborted when a client that stopped reading goes away', async () => {
    const before = gw.events.length
    const ctrl = new AbortController()
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/flood', stream: true, messages: [{ role: 'user', content: 'go' }] }),
      signal: ctrl.signal,
    })
    expect(res.status).toBe(200)
    await res.body!.getReader().read()
    // Not reading any more: the gateway's writes back up until it waits for the socket to drain.
    await new Promise((r) => setTimeout(r, 200))
    ctrl.abort()
    await floodClosed
    const until = Date.now() + 2000
    while (gw.events.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
    expect(gw.events.at(-1)).toMatchObject({ status: 499, error: 'aborted', stream: true })
  })
})
