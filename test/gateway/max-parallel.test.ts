import type { ServerResponse } from 'node:http'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { CHAT_COMPLETION, type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// `maxParallel` on a key or a route (policies/max-parallel, registered in policies/registry.ts): calls past
// the limit are refused with 429 in the caller's format while the others are in flight, and a call gives its
// slot back however it ends (answered, failed upstream, caller gone mid-stream). The upstream holds every
// call until the test lets it answer, so nothing here depends on timing.

const KEY = 'sk-sy-parallel-0123456789abcdefSECRET'
const OTHER = 'sk-sy-parallel-other-0123456789SECRET'
const env = { SY_KEY: KEY, SY_OTHER: OTHER }

type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>
let upstream: Upstream
/** One per call the upstream holds, in arrival order: answers it (200, or the status given). */
const held: ((status?: number) => void)[] = []
const gateways: TestGateway[] = []

const SSE_CHUNK = (content: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`

function hold(req: RecordedRequest, res: ServerResponse): Promise<void> {
  const stream = (req.body as { stream?: boolean }).stream === true
  // A stream starts at once (the caller sees its first chunk), then waits like the rest.
  if (stream) res.writeHead(200, { 'content-type': 'text/event-stream' }).write(SSE_CHUNK('o'))
  return new Promise((resolve) => {
    held.push((status = 200) => {
      if (res.destroyed) return resolve()
      if (stream) res.end(`${SSE_CHUNK('k')}data: [DONE]\n\n`)
      else if (status === 200) sendJson(res, 200, CHAT_COMPLETION)
      else sendJson(res, status, { error: { message: 'upstream refused', type: 'invalid_request_error' } })
      resolve()
    })
  })
}

beforeAll(async () => {
  upstream = await startScriptedUpstream({ 'POST /v1/chat/completions': hold })
})
afterEach(async () => {
  for (const answer of held.splice(0)) answer()
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})
afterAll(() => upstream?.stop())

async function start(tail: string): Promise<TestGateway> {
  const gw = await startGateway(
    `
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [m], maxConnections: 64 }
${tail}`,
    env,
  )
  gateways.push(gw)
  return gw
}

/** Resolves once the upstream holds `n` calls: they are in flight, past every stage. */
async function upstreamHolds(n: number): Promise<void> {
  const until = Date.now() + 5000
  while (held.length < n) {
    if (Date.now() > until) throw new Error(`the upstream holds ${held.length} calls, not ${n}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const openai = (gw: TestGateway, apiKey = KEY) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0, timeout: 30_000 })
const ask = (client: OpenAI, model = 'up/m', opts: { signal?: AbortSignal } = {}) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, opts)

async function refusal(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(OpenAI.APIError)
  const e = err as InstanceType<typeof OpenAI.APIError>
  return { status: e.status, code: e.code, message: e.message, retryAfter: e.headers?.get('retry-after') }
}

describe('maxParallel', () => {
  it('refuses the key’s N+1th parallel call with 429 and retry-after; once one ends the next passes', async () => {
    const gw = await start(`keys:
  - { name: team, key: "\${env:SY_KEY}", maxParallel: 2 }
  - { name: other, key: "\${env:SY_OTHER}" }
`)
    const client = openai(gw)
    const first = ask(client)
    const second = ask(client)
    await upstreamHolds(2)

    const third = await refusal(ask(client))
    expect(third).toMatchObject({ status: 429, code: 'max_parallel_exceeded', retryAfter: '1' })
    expect(third.message).toContain("key 'team' already has 2 call(s) in flight (its maxParallel)")
    // In the Anthropic dialect too, as its own error shape.
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 })
    const refused = await anthropic.messages
      .create({ model: 'up/m', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError)
    expect((refused as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    })
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: gw.adminHeaders })).text()
    expect(metrics).toContain('switchyard_parallel_calls{scope="key",name="team"} 2\n')
    expect(metrics).toContain('switchyard_parallel_refusals_total{scope="key",name="team"} 2\n')
    // Another key has slots of its own.
    const others = ask(openai(gw, OTHER))
    await upstreamHolds(3)

    held[0]()
    expect((await first).choices[0].message.content).toBe('ok')
    const fourth = ask(client)
    await upstreamHolds(4)
    for (const answer of held.slice(1)) answer()
    await Promise.all([second, others, fourth])
    const statuses = (await waitForEvents(gw, 6, 10_000)).map((e) => e.status).sort()
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
  })

  it('counts a route’s calls across keys and callers; a call another model serves does not count', async () => {
    const gw = await start(`routes:
  team-chat: { targets: [{ model: up/m }], maxParallel: 1 }
`)
    const client = openai(gw)
    const first = ask(client, 'team-chat')
    await upstreamHolds(1)
    expect(await refusal(ask(client, 'team-chat'))).toMatchObject({
      status: 429,
      message: expect.stringContaining("route 'team-chat' already has 1 call(s) in flight"),
    })
    const direct = ask(client, 'up/m')
    await upstreamHolds(2)
    for (const answer of held) answer()
    await Promise.all([first, direct])
    const again = ask(client, 'team-chat')
    await upstreamHolds(3)
    held[2]()
    expect((await again).choices[0].message.content).toBe('ok')
  })

  it('gives the slot back when the upstream fails and when the caller leaves mid-stream', async () => {
    const gw = await start(`keys:
  - { name: team, key: "\${env:SY_KEY}", maxParallel: 1 }
`)
    const client = openai(gw)
    const failing = ask(client)
    await upstreamHolds(1)
    // A 400 is not retried: the one call fails, with the upstream's status.
    held[0](400)
    expect((await refusal(failing)).status).toBe(400)

    // A stream whose caller goes away after its first chunk: the gateway ends the call (499) and frees the slot.
    const leaving = new AbortController()
    const stream = await client.chat.completions.create(
      { model: 'up/m', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: leaving.signal },
    )
    await upstreamHolds(2)
    for await (const chunk of stream) {
      expect(chunk.choices[0].delta.content).toBe('o')
      break
    }
    leaving.abort()
    const events = await waitForEvents(gw, 2, 10_000)
    expect(events.map((e) => e.status)).toEqual([400, 499])

    const next = ask(client)
    await upstreamHolds(3)
    held[2]()
    expect((await next).choices[0].message.content).toBe('ok')
  })

  it('is checked with the config: a limit is a whole number of at least 1', () => {
    const config = (limit: string) =>
      `keys:\n  - { name: team, key: k, maxParallel: ${limit} }\nroutes:\n  r: { targets: [{ model: up/m }], maxParallel: ${limit} }\nproviders:\n  up: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1" }\n`
    expect(() => parseConfig(config('0'), 'yaml', {})).toThrow(/\/keys\/0\/maxParallel.*\/routes\/r\/maxParallel/s)
    expect(() => parseConfig(config('1.5'), 'yaml', {})).toThrow('/keys/0/maxParallel')
    expect(() => parseConfig(config('3'), 'yaml', {})).not.toThrow()
  })
})
