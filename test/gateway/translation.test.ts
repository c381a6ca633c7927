import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import {
  type RecordedRequest,
  sendJson,
  sendSse,
  startMockUpstream,
  startScriptedUpstream,
} from '../helpers/upstreams.js'

// Cross-format translation end to end: tools, streamed tool arguments, images, embeddings, token counts.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let claude: Scripted
let compat: Scripted
let mock: Awaited<ReturnType<typeof startMockUpstream>>
let gw: TestGateway
let openai: OpenAI
let anthropic: Anthropic

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

const oaChunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`

function lastBody(up: Scripted, path: string): Record<string, unknown> {
  return [...up.requests].reverse().find((r: RecordedRequest) => r.path === path)?.body as Record<string, unknown>
}

beforeAll(async () => {
  claude = await startScriptedUpstream({
    'POST /v1/messages': (_req, res) =>
      sendJson(res, 200, {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-x',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 100 },
      }),
    'POST /v1/messages/count_tokens': (_req, res) => sendJson(res, 200, { input_tokens: 4242 }),
  })
  compat = await startScriptedUpstream({
    'POST /v1/chat/completions': (req, res) => {
      const body = req.body as { model: string }
      if (body.model === 'no-usage') {
        return sendSse(res, [
          oaChunk({ role: 'assistant', content: 'plain answer' }),
          oaChunk({}, 'stop'),
          'data: [DONE]\n\n',
        ])
      }
      sendSse(res, [
        oaChunk({ role: 'assistant', content: null }),
        oaChunk({
          tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
        }),
        oaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        oaChunk({
          tool_calls: [
            {
              index: 1,
              id: 'call_b',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        }),
        oaChunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        oaChunk({}, 'tool_calls'),
        oaChunk({}, null, { choices: [], usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 } }),
        'data: [DONE]\n\n',
      ])
    },
  })
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  claude: { type: anthropic, baseUrl: "${claude.url}", apiKey: sk-ant-secret }
  compat: { type: openai-compatible, baseUrl: "${compat.url}/v1", apiKey: sk-compat-secret }
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  smart: { targets: [ { model: claude/claude-x } ] }
`)
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await Promise.all([claude?.stop(), compat?.stop(), mock?.stop()])
})

describe('OpenAI client → Anthropic provider', () => {
  it('translates tools, tool results and images both ways', async () => {
    const res = await openai.chat.completions.create({
      model: 'smart',
      messages: [
        { role: 'system', content: 'Be terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where this photo was taken?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_0', content: '{"temp_c":21}' },
      ],
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      max_tokens: 300,
    })
    const sent = lastBody(claude, '/v1/messages')
    expect(sent).toMatchObject({
      model: 'claude-x',
      max_tokens: 300,
      system: [{ type: 'text', text: 'Be terse.' }],
      tools: [{ name: 'get_weather', input_schema: WEATHER_TOOL.function.parameters }],
    })
    const messages = sent.messages as { role: string; content: { type: string }[] }[]
    expect(messages[0].content[1]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PNG },
    })
    expect(messages[1].content[0]).toMatchObject({ type: 'tool_use', id: 'call_0', input: { city: 'Rome' } })
    expect(messages[2]).toMatchObject({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_0' }] })
    // The gateway's key goes upstream; the client's never does.
    expect(claude.requests.at(-1)?.headers['x-api-key']).toBe('sk-ant-secret')

    const choice = res.choices[0]
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBe('Checking.')
    expect(choice.message.tool_calls?.[0]).toMatchObject({
      id: 'toolu_01',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    })
    expect(res.usage).toMatchObject({
      prompt_tokens: 120,
      completion_tokens: 9,
      prompt_tokens_details: { cached_tokens: 100 },
    })
  })

  it('count_tokens asks the Anthropic upstream for an exact count', async () => {
    const r = await anthropic.messages.countTokens({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] })
    expect(r.input_tokens).toBe(4242)
  })
})

describe('Anthropic client → OpenAI-compatible provider', () => {
  it('streams parallel tool calls with interleaved argument deltas as tool_use blocks', async () => {
    const stream = anthropic.messages.stream({
      model: 'compat/tools',
      max_tokens: 200,
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather',
          input_schema: WEATHER_TOOL.function.parameters as never,
        },
      ],
      messages: [{ role: 'user', content: 'Paris and Oslo?' }],
    })
    const msg = await stream.finalMessage()
    expect(msg.stop_reason).toBe('tool_use')
    const uses = msg.content.filter((b) => b.type === 'tool_use')
    expect(uses).toEqual([
      expect.objectContaining({ id: 'call_a', name: 'get_weather', input: { city: 'Paris' } }),
      expect.objectContaining({ id: 'call_b', name: 'get_weather', input: { city: 'Oslo' } }),
    ])
    expect(msg.usage.output_tokens).toBe(12)
    const sent = lastBody(compat, '/v1/chat/completions')
    expect(sent).toMatchObject({
      model: 'tools',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
    })
  })

  it('count_tokens falls back to a tokenizer estimate and says so', async () => {
    const res = await fetch(`${gw.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'compat/x',
        messages: [{ role: 'user', content: 'hello there, how are you today?' }],
      }),
    })
    expect(res.headers.get('x-switchyard-token-count')).toBe('estimated')
    const body = await res.json()
    expect(body.input_tokens).toBeGreaterThan(5)
    expect(body.input_tokens).toBeLessThan(30)
  })
})

describe('accounting and listings', () => {
  it('estimates tokens with a tokenizer when the upstream reports no usage, and marks the row', async () => {
    const before = gw.events.length
    const stream = await openai.chat.completions.create({
      model: 'compat/no-usage',
      messages: [{ role: 'user', content: 'say something plain' }],
      stream: true,
    })
    let text = ''
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? ''
    expect(text).toBe('plain answer')
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event.isEstimated).toBe(true)
    expect(event.inputTokens).toBeGreaterThan(3)
    expect(event.outputTokens).toBe(2)
  })

  it('OpenAI embeddings go through and are tagged with provider and model', async () => {
    const res = await openai.embeddings.create({ model: 'mock/mock-embed', input: ['a', 'b'] }).withResponse()
    expect(res.data.data).toHaveLength(2)
    expect(res.data.data[0].embedding).toHaveLength(8)
    expect(res.response.headers.get('x-switchyard-provider')).toBe('mock')
  })

  it('lists route aliases and provider models in a shape both SDKs read', async () => {
    await gw.app.gateway.catalog.refreshAll()
    const ids: string[] = []
    for await (const m of openai.models.list()) ids.push(m.id)
    expect(ids).toContain('smart')
    expect(ids).toContain('mock/mock-gpt')
    const page = await anthropic.models.list()
    expect(page.data.map((m) => m.id)).toContain('smart')
  })

  it('tags proxied answers with provider, model and request id', async () => {
    const res = await openai.chat.completions
      .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(res.response.headers.get('x-switchyard-provider')).toBe('mock')
    expect(res.response.headers.get('x-switchyard-model')).toBe('mock-gpt')
    expect(res.response.headers.get('x-request-id')).toMatch(/^req_/)
  })
})
