import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { everyProviderYaml, PROVIDERS } from '../helpers/every-provider.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { geminiGenerate, geminiStream } from '../helpers/gemini-mock.js'
import { type RunningMock, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

// Every inbound API × every provider type, streamed and not, through the official SDKs.

let mock: RunningMock
let gemini: RunningMock
let gw: TestGateway
let openai: OpenAI
let anthropic: Anthropic

beforeAll(async () => {
  mock = await startMockUpstream()
  gemini = await startScriptedUpstream({
    'POST /v1beta/models/mock-gpt:generateContent': geminiGenerate,
    'POST /v1beta/models/mock-gpt:streamGenerateContent': geminiStream,
  })
  gw = await startGateway(`
providers:
${everyProviderYaml(mock.url, gemini.url)}
`)
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
  await gemini?.stop()
})

describe.each(PROVIDERS)('provider %s', (provider) => {
  const model = `${provider}/mock-gpt`

  it('OpenAI client, non-stream', async () => {
    const before = gw.events.length
    const res = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] })
    expect(res.choices[0].message.content).toBe('Echo: hello')
    expect(res.choices[0].finish_reason).toBe('stop')
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(res.usage?.completion_tokens).toBeGreaterThan(0)
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ provider, status: 200, stream: false, inboundApi: 'openai', model: 'mock-gpt' })
    expect(event.outputTokens).toBeGreaterThan(0)
  })

  it('OpenAI client, stream with include_usage', async () => {
    const before = gw.events.length
    const stream = await openai.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hello stream' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    let finish: string | null = null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('Echo: hello stream')
    expect(finish).toBe('stop')
    expect(usage?.completion_tokens).toBeGreaterThan(0)
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ provider, status: 200, stream: true })
    expect(event.ttftMs).toBeGreaterThan(0)
    expect(event.inputTokens).toBeGreaterThan(0)
  })

  it('Anthropic client, non-stream', async () => {
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 256,
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'hello claude' }],
    })
    expect(msg.content).toEqual([expect.objectContaining({ type: 'text', text: 'Echo: hello claude' })])
    expect(msg.stop_reason).toBe('end_turn')
    expect(msg.usage.output_tokens).toBeGreaterThan(0)
    // Every answer names the model that answered, as its upstream does (the Gemini mock says `mock-gemini`).
    expect(['mock-gpt', 'mock-gemini']).toContain(msg.model)
  })

  it('Anthropic client, stream', async () => {
    const before = gw.events.length
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'hello streamed claude' }],
    })
    const msg = await stream.finalMessage()
    expect(msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe('Echo: hello streamed claude')
    expect(msg.stop_reason).toBe('end_turn')
    expect(msg.usage.output_tokens).toBeGreaterThan(0)
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ provider, status: 200, stream: true, inboundApi: 'anthropic' })
  })
})
