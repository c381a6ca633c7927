import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Fault-injecting upstream: each model name is a behaviour. Clock, randomness and sleep are injected so
// breakers, backoff and weighted picks are deterministic.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway
let openai: OpenAI
let now = 1_000_000
const sleeps: number[] = []
let randoms: number[] = []
const hits = new Map<string, number>()

const completion = (text: string) => ({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
})
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`

function count(model: string): number {
  const n = (hits.get(model) ?? 0) + 1
  hits.set(model, n)
  return n
}

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': async (req: RecordedRequest, res) => {
      const { model } = req.body as { model: string }
      const n = count(model)
      switch (model) {
        case 'flaky-429': // rate limited once, then fine
          return n === 1
            ? sendJson(res, 429, { error: { message: 'slow down', type: 'requests' } }, { 'retry-after': '2' })
            : sendJson(res, 200, completion('after retry'))
        case 'long-429':
          return sendJson(
            res,
            429,
            { error: { message: 'come back in a minute', type: 'requests' } },
            { 'retry-after': '60' },
          )
        case 'always-500':
        case 'budget-500':
          return sendJson(res, 500, { error: { message: 'boom', type: 'server_error' } })
        case 'policy-400':
          return sendJson(res, 400, { error: { message: 'content policy', type: 'invalid_request_error' } })
        case 'slow-first-byte':
          await new Promise((r) => setTimeout(r, 400))
          return sendJson(res, 200, completion('too late'))
        case 'stall-stream':
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.write(chunk('partial'))
          return // never ends
        case 'error-first': // P12: a 200 stream whose first frame is an error
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.end(`data: ${JSON.stringify({ error: { message: 'Overloaded', type: 'overloaded_error' } })}\n\n`)
          return
        case 'silent-stream': // headers, then nothing at all
          res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders()
          return
        case 'slow':
          await new Promise((r) => setTimeout(r, 60))
          return sendJson(res, 200, completion('slow one'))
        default:
          if ((req.body as { stream?: boolean }).stream) {
            res.writeHead(200, { 'content-type': 'text/event-stream' })
            res.end(`${chunk(`served by ${model}`)}data: [DONE]\n\n`)
            return
          }
          return sendJson(res, 200, completion(`served by ${model}`))
      }
    },
  })
  gw = await startGateway(
    `
server:
  breaker: { failureThreshold: 3, cooldownMs: 10000, minRequests: 1000 }
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1" }
  down: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1" }
pricing:
  up/pricey: { input: 10, output: 30 }
  up/thrifty: { input: 0.1, output: 0.4 }
routes:
  retry-429: { targets: [ { model: up/flaky-429 } ] }
  long-wait:
    retries: { attempts: 2 }
    targets: [ { model: up/long-429 }, { model: up/backup } ]
  refused-first: { targets: [ { model: down/x }, { model: up/backup } ] }
  policy: { targets: [ { model: up/policy-400 }, { model: up/backup } ] }
  policy-fallback:
    fallbackOn: [400]
    targets: [ { model: up/policy-400 }, { model: up/backup } ]
  ttfb:
    timeouts: { firstByteMs: 100 }
    retries: { attempts: 0 }
    targets: [ { model: up/slow-first-byte }, { model: up/backup } ]
  stall:
    timeouts: { idleMs: 150 }
    targets: [ { model: up/stall-stream }, { model: up/backup } ]
  early-error:
    retries: { attempts: 0 }
    targets: [ { model: up/error-first }, { model: up/backup } ]
  silent:
    timeouts: { idleMs: 150 }
    retries: { attempts: 0 }
    targets: [ { model: up/silent-stream }, { model: up/backup } ]
  breaker: { retries: { attempts: 0 }, targets: [ { model: up/always-500 } ] }
  weighted:
    strategy: weighted
    targets: [ { model: up/heavy, weight: 3 }, { model: up/light, weight: 1 } ]
  fastest:
    strategy: least-latency
    targets: [ { model: up/slow }, { model: up/quick } ]
  cheapest:
    strategy: cheapest
    targets: [ { model: up/pricey }, { model: up/thrifty } ]
  fit:
    targets:
      - { model: up/tiny, contextWindow: 20 }
      - { model: up/roomy, contextWindow: 100000 }
  long:
    longContext: { thresholdTokens: 50, model: up/long-model }
    targets: [ { model: up/short-model } ]
  tuned:
    targets: [ { model: up/tuned, params: { temperature: 0.1 }, system: "Answer in French." } ]
`,
    {},
    {
      clock: () => now,
      random: () => randoms.shift() ?? 0.5,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
    },
  )
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0, timeout: 5000 })
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

beforeEach(() => {
  sleeps.length = 0
  hits.clear()
})

const ask = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
const lastEvent = async () => (await waitForEvents(gw, gw.events.length)).at(-1)!

describe('retries', () => {
  it('retries a 429 on the same target after its Retry-After', async () => {
    const res = await ask('retry-429').withResponse()
    expect(res.data.choices[0].message.content).toBe('after retry')
    expect(hits.get('flaky-429')).toBe(2)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(2000)
    expect(res.response.headers.get('x-switchyard-attempts')).toBe('2')
  })

  it('moves on instead of waiting out a Retry-After longer than the route allows', async () => {
    const res = await ask('long-wait')
    expect(res.choices[0].message.content).toBe('served by backup')
    expect(hits.get('long-429')).toBe(1)
    expect(sleeps).toHaveLength(0)
    const event = await lastEvent()
    expect(event).toMatchObject({ isFallback: true, attempts: 2, model: 'backup' })
    expect(event.attemptFailures?.[0]).toMatchObject({ model: 'long-429', status: 429 })
  })

  it('a retry budget bounds the load a failing target sees', async () => {
    // A gateway whose breaker never opens, so only the budget limits retries.
    const solo = await startGateway(
      `
server: { breaker: { failureThreshold: 100000, minRequests: 100000 } }
providers: { up: { type: openai-compatible, baseUrl: "${up.url}/v1" } }
routes:
  budget:
    retries: { attempts: 3, budgetRatio: 0.1 }
    targets: [ { model: up/budget-500 } ]
`,
      {},
      { sleep: async () => {} },
    )
    const client = new OpenAI({ baseURL: `${solo.url}/v1`, apiKey: 'any', maxRetries: 0 })
    const ask40 = Array.from({ length: 40 }, () =>
      client.chat.completions.create({ model: 'budget', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e),
    )
    const errors = await Promise.all(ask40)
    await solo.close()
    expect(errors.every((e) => e instanceof OpenAI.InternalServerError)).toBe(true)
    // 40 first tries; retries limited by the budget (10 banked + 0.1 per request), not 3 × 40.
    const upstreamCalls = hits.get('budget-500') ?? 0
    expect(upstreamCalls).toBeGreaterThan(40)
    expect(upstreamCalls).toBeLessThanOrEqual(40 + 10 + 4)
  })
})

describe('fallbacks', () => {
  it('falls back from a refused connection', async () => {
    expect((await ask('refused-first')).choices[0].message.content).toBe('served by backup')
  })

  it('does not fall back on a client error unless the route says so', async () => {
    const err = await ask('policy').catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.message).toMatch(/content policy/)
    expect(hits.get('backup')).toBeUndefined()
    expect((await ask('policy-fallback')).choices[0].message.content).toBe('served by backup')
  })

  it('falls back when the first byte takes longer than the route allows', async () => {
    const res = await ask('ttfb')
    expect(res.choices[0].message.content).toBe('served by backup')
    expect((await lastEvent()).attemptFailures?.[0].error).toMatch(/no response within 100 ms/)
  })

  it('never falls back after a stream has started: a stalled stream ends with an error event', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stall', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    const text = await res.text()
    expect(text).toContain('partial')
    expect(text).toMatch(/"error":\{"message":"[^"]*stream stalled for 150 ms/)
    expect(text).not.toContain('served by backup')
    expect(hits.get('backup')).toBeUndefined()
  })
})

describe('circuit breaker', () => {
  it('falls back when a 200 stream fails before its first byte (error frame, or silence)', async () => {
    for (const model of ['early-error', 'silent']) {
      const before = gw.events.length
      const stream = await openai.chat.completions.create({
        model,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      })
      let text = ''
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? ''
      expect(text).toBe('served by backup')
      const [event] = (await waitForEvents(gw, before + 1)).slice(before)
      expect(event).toMatchObject({ status: 200, model: 'backup', attempts: 2, isFallback: true })
    }
  })

  it('opens after consecutive failures, sheds load, then lets one probe through after the cool-down', async () => {
    for (let i = 0; i < 3; i++) await ask('breaker').catch(() => undefined)
    expect(hits.get('always-500')).toBe(3)
    const results = await Promise.all(Array.from({ length: 20 }, () => ask('breaker').catch((e) => e)))
    expect(hits.get('always-500')).toBe(3)
    expect(results[0]).toBeInstanceOf(OpenAI.APIError)
    expect(results[0].status).toBe(503)
    expect(results[0].message).toMatch(/circuit open/)
    expect(results[0].headers.get('retry-after')).toBe('10')
    const providers = gw.app.gateway.breakers.get('up')
    expect(providers?.state).toBe('open')
    const metrics = await (await fetch(`${gw.url}/metrics`)).text()
    expect(metrics).toContain('switchyard_circuit_state{provider="up",model="always-500"} 2')

    now += 10_001
    await Promise.all(Array.from({ length: 5 }, () => ask('breaker').catch(() => undefined)))
    expect(hits.get('always-500')).toBe(4)
  })
})

describe('strategies', () => {
  it('weighted picks by weight using the injected randomness', async () => {
    randoms = [0.9, 0.1, 0.5]
    expect((await ask('weighted')).choices[0].message.content).toBe('served by light')
    randoms = [0.1, 0.1]
    expect((await ask('weighted')).choices[0].message.content).toBe('served by heavy')
  })

  it('least-latency prefers the target that has been faster lately', async () => {
    const served: string[] = []
    for (let i = 0; i < 4; i++) served.push((await ask('fastest')).choices[0].message.content ?? '')
    expect(served.slice(-2)).toEqual(['served by quick', 'served by quick'])
  })

  it('cheapest orders targets by price', async () => {
    expect((await ask('cheapest')).choices[0].message.content).toBe('served by thrifty')
  })

  it('skips targets whose context window is too small for the prompt, counted with a tokenizer', async () => {
    expect((await ask('fit')).choices[0].message.content).toBe('served by tiny')
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(10)
    const res = await openai.chat.completions.create({ model: 'fit', messages: [{ role: 'user', content: long }] })
    expect(res.choices[0].message.content).toBe('served by roomy')
  })

  it('sends long prompts to the long-context target', async () => {
    expect((await ask('long')).choices[0].message.content).toBe('served by short-model')
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(10)
    const res = await openai.chat.completions.create({ model: 'long', messages: [{ role: 'user', content: long }] })
    expect(res.choices[0].message.content).toBe('served by long-model')
  })

  it('applies per-target parameters and system instruction', async () => {
    await ask('tuned')
    const sent = up.requests.at(-1)?.body as { temperature: number; messages: { role: string; content: string }[] }
    expect(sent.temperature).toBe(0.1)
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Answer in French.' })
  })
})
