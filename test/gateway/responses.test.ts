import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { everyProviderYaml, PROVIDERS } from '../helpers/every-provider.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { geminiGenerate, geminiStream } from '../helpers/gemini-mock.js'
import { startToolMock } from '../helpers/tool-mock.js'
import { type RunningMock, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

// POST /v1/responses through the official openai SDK, against every provider type: text (the echo mock)
// and a function-tool round trip (the tool mock), streamed and not.

let mock: RunningMock
let gemini: RunningMock
let tools: Awaited<ReturnType<typeof startToolMock>>
let gw: TestGateway
let client: OpenAI

const WEATHER: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
}

beforeAll(async () => {
  mock = await startMockUpstream()
  gemini = await startScriptedUpstream({
    'POST /v1beta/models/mock-gpt:generateContent': geminiGenerate,
    'POST /v1beta/models/mock-gpt:streamGenerateContent': geminiStream,
  })
  tools = await startToolMock()
  const t = tools.url
  gw = await startGateway(`
providers:
${everyProviderYaml(mock.url, gemini.url)}
${everyProviderYaml(t, t, 't-')}
`)
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
  await gemini?.stop()
  await tools?.stop()
})

describe.each(PROVIDERS)('Responses API → provider %s', (provider) => {
  it('answers a string input, non-stream, with usage', async () => {
    const before = gw.events.length
    const res = await client.responses.create({
      model: `${provider}/mock-gpt`,
      instructions: 'Be terse.',
      input: 'hello responses',
    })
    expect(res.id).toMatch(/^resp_/)
    expect(res.status).toBe('completed')
    expect(res.output_text).toBe('Echo: hello responses')
    expect(res.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' })
    expect(res.usage?.input_tokens).toBeGreaterThan(0)
    expect(res.usage?.output_tokens).toBeGreaterThan(0)
    expect(res.usage?.total_tokens).toBe((res.usage?.input_tokens ?? 0) + (res.usage?.output_tokens ?? 0))
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ inboundApi: 'responses', provider, status: 200, stream: false })
  })

  it('streams typed events ending in response.completed with usage', async () => {
    const stream = await client.responses.create({
      model: `${provider}/mock-gpt`,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello stream' }] }],
      stream: true,
    })
    const types: string[] = []
    const sequence: number[] = []
    let text = ''
    let completed: OpenAI.Responses.Response | undefined
    let itemDone: OpenAI.Responses.ResponseOutputItem | undefined
    for await (const e of stream) {
      types.push(e.type)
      sequence.push(e.sequence_number)
      if (e.type === 'response.output_text.delta') text += e.delta
      if (e.type === 'response.output_item.done') itemDone = e.item
      if (e.type === 'response.completed') completed = e.response
    }
    expect(text).toBe('Echo: hello stream')
    expect(sequence).toEqual(sequence.map((_, i) => i))
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ])
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(itemDone).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Echo: hello stream' }] })
    expect(completed?.status).toBe('completed')
    expect(completed?.output).toHaveLength(1)
    expect(completed?.usage?.output_tokens).toBeGreaterThan(0)
  })

  it('round-trips a function tool, non-stream', async () => {
    const model = `t-${provider}/tool-model`
    const first = await client.responses.create({ model, input: 'Weather in Paris?', tools: [WEATHER] })
    const call = first.output.find((o) => o.type === 'function_call')
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' })
    if (call?.type !== 'function_call') throw new Error('no function call')
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' })
    const second = await client.responses.create({
      model,
      tools: [WEATHER],
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'Sunny, 21C' },
      ],
    })
    expect(second.output_text).toBe('Tool said: Sunny, 21C')
  })

  it('round-trips a function tool, streamed', async () => {
    const model = `t-${provider}/tool-model`
    const stream = await client.responses.create({ model, input: 'Weather in Paris?', tools: [WEATHER], stream: true })
    let args = ''
    let done: OpenAI.Responses.ResponseOutputItem | undefined
    let argumentsDone = ''
    for await (const e of stream) {
      if (e.type === 'response.function_call_arguments.delta') args += e.delta
      if (e.type === 'response.function_call_arguments.done') argumentsDone = e.arguments
      if (e.type === 'response.output_item.done' && e.item.type === 'function_call') done = e.item
    }
    if (done?.type !== 'function_call') throw new Error('no function_call item done')
    expect(JSON.parse(args)).toEqual({ city: 'Paris' })
    expect(argumentsDone).toBe(args)
    expect(done).toMatchObject({ name: 'get_weather', arguments: args, status: 'completed' })
    const final = await client.responses
      .stream({
        model,
        tools: [WEATHER],
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          { type: 'function_call', call_id: done.call_id, name: done.name, arguments: done.arguments },
          { type: 'function_call_output', call_id: done.call_id, output: 'Rain, 9C' },
        ],
      })
      .finalResponse()
    expect(final.output_text).toBe('Tool said: Rain, 9C')
  })
})

/** The raw SSE events of one streamed call. */
async function rawEvents(body: object): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const res = await fetch(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const text = await res.text()
  expect(text).not.toContain('[DONE]')
  return text
    .trim()
    .split('\n\n')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n')
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) }
    })
}

describe('Responses API: what Codex CLI sends', () => {
  const codexBody = {
    model: 'compat/mock-gpt',
    stream: true,
    store: false,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'abc',
    client_metadata: { session: 'x' },
    reasoning: { effort: 'medium', summary: 'auto' },
    tool_choice: 'auto',
    parallel_tool_calls: false,
    tools: [
      { type: 'function', name: 'shell', parameters: { type: 'object', properties: {} }, strict: false },
      { type: 'web_search' },
      { type: 'namespace', name: 'mcp', tools: [] },
    ],
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi codex' }] },
    ],
  }

  it('accepts it, drops built-in tools, maps developer to system and names every event', async () => {
    const events = await rawEvents({ ...codexBody, tools: codexBody.tools.slice(1) })
    for (const e of events) expect(e.data.type).toBe(e.event)
    const done = events.filter((e) => e.event === 'response.output_item.done')
    expect(done.map((e) => (e.data.item as { content: { text: string }[] }).content[0].text)).toEqual([
      'Echo: hi codex',
    ])
    const last = events.at(-1)!
    expect(last.event).toBe('response.completed')
    expect((last.data.response as { usage: { input_tokens: number } }).usage.input_tokens).toBeGreaterThan(0)
  })

  it('sends only function tools upstream, developer messages as system, reasoning as reasoning_effort', async () => {
    await rawEvents({ ...codexBody, model: 't-compat/tool-model', tools: codexBody.tools })
    const sent = tools.requests.at(-1)!.body as Record<string, unknown>
    expect(sent.tools).toEqual([
      { type: 'function', function: { name: 'shell', parameters: { type: 'object', properties: {} } } },
    ])
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You are Codex.' },
      { role: 'user', content: 'hi codex' },
    ])
    expect(sent).toMatchObject({ reasoning_effort: 'medium', parallel_tool_calls: false, tool_choice: 'auto' })
    for (const k of ['store', 'include', 'prompt_cache_key', 'client_metadata', 'input', 'reasoning']) {
      expect(sent).not.toHaveProperty(k)
    }
  })

  it('maps max_output_tokens and text.format json_schema', async () => {
    await client.responses.create({
      model: 't-compat/tool-model',
      input: 'json please',
      max_output_tokens: 64,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
    })
    const sent = tools.requests.at(-1)!.body as Record<string, unknown>
    expect(sent.max_tokens).toBe(64)
    expect(sent.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' } },
    })
  })
})

describe('Responses API: errors and what is not stored', () => {
  it('refuses previous_response_id with a 400 that says why', async () => {
    const err = await client.responses
      .create({ model: 'compat/mock-gpt', input: 'x', previous_response_id: 'resp_1' })
      .catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.message).toMatch(/stores no responses/)
    expect(err.error).toMatchObject({ param: 'previous_response_id', type: 'invalid_request_error' })
  })

  it('answers GET /v1/responses/:id with a 404 in the OpenAI shape', async () => {
    const err = await client.responses.retrieve('resp_123').catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.message).toMatch(/stores no responses/)
  })

  it('unknown model → 404 before the stream starts', async () => {
    const err = await client.responses.create({ model: 'nope/nothing', input: 'x', stream: true }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
  })
})
