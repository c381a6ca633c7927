import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callTimeouts, LOCAL_TIMEOUTS } from '../../src-gateway/core/upstream.js'
import { buildProvider } from '../../src-gateway/routing/providers.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { CHAT_COMPLETION, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 23: local targets waited 300 s for a first byte, so a local-first route with a hung local server
// took minutes to fall back.

describe('local first-byte defaults', () => {
  it.each(['ollama', 'llamacpp', 'openai-compatible'] as const)('%s waits 30 s for a stream to start', (type) => {
    const { timeouts } = buildProvider('local', { type })
    expect(timeouts.firstByteMs).toBe(30_000)
    expect(callTimeouts(timeouts, true).firstByteMs).toBe(30_000)
    // An answer that does not stream comes whole, after the generation: that wait stays long.
    expect(callTimeouts(timeouts, false).firstByteMs).toBe(300_000)
  })

  it('cloud targets keep 120 s for both', () => {
    const { timeouts } = buildProvider('cloud', { type: 'openai', apiKey: 'k' })
    expect(callTimeouts(timeouts, true).firstByteMs).toBe(120_000)
    expect(callTimeouts(timeouts, false).firstByteMs).toBe(120_000)
  })

  it("a provider's own firstByteMs holds for every call, streamed or not", () => {
    const { timeouts } = buildProvider('local', { type: 'ollama', timeouts: { firstByteMs: 90_000 } })
    expect(callTimeouts(timeouts, true).firstByteMs).toBe(90_000)
    expect(callTimeouts(timeouts, false).firstByteMs).toBe(90_000)
    // Other fields keep their defaults.
    expect(timeouts.idleMs).toBe(LOCAL_TIMEOUTS.idleMs)
  })
})

describe('a local-first route whose local server hangs', () => {
  let up: Awaited<ReturnType<typeof startScriptedUpstream>>
  let gw: TestGateway
  let openai: OpenAI
  beforeAll(async () => {
    up = await startScriptedUpstream({
      // Accepts the call and never answers: a local server stuck loading a model.
      'POST /local/v1/chat/completions': () => {},
      'POST /cloud/v1/chat/completions': (req, res) => {
        if ((req.body as { stream?: boolean }).stream) {
          const chunk = {
            id: 'c',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: { content: 'from the cloud' }, finish_reason: 'stop' }],
          }
          return sendSse(res, [`data: ${JSON.stringify(chunk)}\n\n`, 'data: [DONE]\n\n'])
        }
        sendJson(res, 200, {
          ...CHAT_COMPLETION,
          choices: [{ ...CHAT_COMPLETION.choices[0], message: { role: 'assistant', content: 'from the cloud' } }],
        })
      },
    })
    // The route's own firstByteMs (test-sized here) wins over the local default, for streams and whole
    // answers; a retry is allowed, as in the docs' local-first example.
    gw = await startGateway(`
server:
  breaker: { failureThreshold: 100, minRequests: 1000 }   # every call here meets the hung server
providers:
  local: { type: openai-compatible, baseUrl: "${up.url}/local/v1" }
  cloud: { type: openai, apiKey: k, baseUrl: "${up.url}/cloud/v1" }
routes:
  coding:
    retries: { attempts: 1 }
    timeouts: { firstByteMs: 400 }
    targets: [ { model: local/qwen }, { model: cloud/gpt } ]
`)
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  })
  afterAll(async () => {
    await gw.close()
    await up.stop()
  })

  it('falls back to the cloud within seconds when streaming', async () => {
    const t0 = performance.now()
    const stream = await openai.chat.completions.create({
      model: 'coding',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    })
    let text = ''
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? ''
    expect(text).toBe('from the cloud')
    // One 400 ms first-byte timeout, then the cloud: 2 s is room for a loaded machine, and far below the local
    // default's 30 s that the route's own firstByteMs replaces.
    expect(performance.now() - t0).toBeLessThan(2000)
  })

  it('falls back within seconds for a whole answer too', async () => {
    const t0 = performance.now()
    const { data, response } = await openai.chat.completions
      .create({ model: 'coding', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(data.choices[0].message.content).toBe('from the cloud')
    expect(response.headers.get('x-switchyard-provider')).toBe('cloud')
    // As above: 400 ms and the cloud's answer, against the local default's 5 minutes for a whole answer.
    expect(performance.now() - t0).toBeLessThan(2000)
  })

  it('moves on after a timeout instead of waiting it out again on the same target', async () => {
    const before = up.requests.length
    const { response } = await openai.chat.completions
      .create({ model: 'coding', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(response.headers.get('x-switchyard-attempts')).toBe('2')
    expect(up.requests.slice(before).map((r) => r.path)).toEqual([
      '/local/v1/chat/completions',
      '/cloud/v1/chat/completions',
    ])
  })
})
