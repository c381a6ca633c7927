import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// Bad input and broken upstreams: every failure reaches the client in its own API's error format.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway
let openai: OpenAI
let anthropic: Anthropic
let aborted = false

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`

const okCompletion = (text: string) => ({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
})

function modelOf(req: RecordedRequest): string {
  return (req.body as { model: string }).model
}

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': async (req, res) => {
      switch (modelOf(req)) {
        case 'limited':
          return sendJson(
            res,
            429,
            { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } },
            { 'retry-after': '7' },
          )
        case 'broken':
          return sendJson(res, 500, { error: { message: 'upstream exploded', type: 'server_error' } })
        case 'truncated':
          return sendSse(res, [chunk('Hel'), chunk('lo')], { end: false })
        case 'slow-stream':
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.write(chunk('first'))
          res.on('close', () => {
            aborted = true
          })
          return
        default:
          return sendJson(res, 200, okCompletion(`served by ${modelOf(req)}`))
      }
    },
  })
  gw = await startGateway(`
server: { bodyLimitMb: 0.01 }
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [good-model] }
  dead: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1" }
routes:
  resilient:
    strategy: fallback
    retries: { attempts: 0 }
    targets:
      - { model: up/broken }
      - { model: dead/x }
      - { model: up/backup }
`)
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: res.status, headers: res.headers, body: await res.json() }
}

describe('bad input', () => {
  it('malformed JSON → 400 in each dialect', async () => {
    const o = await post('/v1/chat/completions', '{"model":')
    expect(o.status).toBe(400)
    expect(o.body.error.type).toBe('invalid_request_error')
    expect(o.body.error.message).toMatch(/not valid JSON/)
    const a = await post('/v1/messages', '{"model":')
    expect(a.status).toBe(400)
    expect(a.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
  })

  it('missing messages → 400 naming the field', async () => {
    const o = await post('/v1/chat/completions', JSON.stringify({ model: 'up/x' }))
    expect(o.status).toBe(400)
    expect(o.body.error.param).toBe('messages')
  })

  it('a body over the configured limit → 413', async () => {
    const big = JSON.stringify({ model: 'up/x', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] })
    const o = await post('/v1/chat/completions', big)
    expect(o.status).toBe(413)
    expect(o.body.error.message).toMatch(/larger than/)
    const a = await post('/v1/messages', big)
    expect(a.status).toBe(413)
    expect(a.body.type).toBe('error')
  })

  it('unknown model → 404 listing close matches, in both formats', async () => {
    const err = await openai.chat.completions
      .create({ model: 'good-modle', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.message).toMatch(/good-model/)
    const aerr = await anthropic.messages
      .create({ model: 'good-modle', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e)
    expect(aerr).toBeInstanceOf(Anthropic.NotFoundError)
    expect(aerr.error.error.type).toBe('not_found_error')
  })

  it('a bare model name listed in config resolves to its provider', async () => {
    const res = await openai.chat.completions.create({
      model: 'good-model',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.choices[0].message.content).toBe('served by good-model')
  })
})

describe('upstream failures', () => {
  it('429 keeps Retry-After and maps to each dialect', async () => {
    const o = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'up/limited', messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(o.status).toBe(429)
    expect(o.headers.get('retry-after')).toBe('7')
    expect(o.body.error.message).toBe('slow down')
    const a = await post(
      '/v1/messages',
      JSON.stringify({ model: 'up/limited', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(a.status).toBe(429)
    expect(a.headers.get('retry-after')).toBe('7')
    expect(a.body.error.type).toBe('rate_limit_error')
  })

  it('connection refused → 502 naming the provider', async () => {
    const o = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'dead/x', messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(o.status).toBe(502)
    expect(o.body.error.message).toMatch(/dead.*refused/)
  })

  it('a fallback route skips a 5xx target and an unreachable one', async () => {
    const before = gw.events.length
    const res = await openai.chat.completions.create({
      model: 'resilient',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.choices[0].message.content).toBe('served by backup')
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ route: 'resilient', provider: 'up', model: 'backup', attempts: 3, status: 200 })
  })

  it('a stream cut mid-answer ends with an error event, not [DONE]', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/truncated', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    const text = await res.text()
    expect(text).toContain('"content":"Hel"')
    expect(text).toMatch(/data: \{"error":\{"message":"[^"]*(ended|closed)/)
    expect(text).not.toContain('[DONE]')
  })

  it('the same cut stream reaches an Anthropic client as an error event', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'up/truncated',
        max_tokens: 5,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    })
    const text = await res.text()
    expect(text).toContain('event: message_start')
    expect(text).toContain('event: error')
    expect(text).not.toContain('event: message_stop')
  })

  it('a client that disconnects mid-stream aborts the upstream call and is logged as aborted', async () => {
    const before = gw.events.length
    const ctrl = new AbortController()
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/slow-stream', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: ctrl.signal,
    })
    const reader = res.body!.getReader()
    await reader.read()
    ctrl.abort()
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ status: 499, error: 'aborted' })
    // The upstream sees its socket close when the gateway's abort reaches it: waited for, not slept on.
    await expect.poll(() => aborted).toBe(true)
  })
})
