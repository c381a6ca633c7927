import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 19, "tool calls that parse": a local model's broken tool-call JSON and the tool calls it writes as
// text (Hermes/Qwen `<tool_call>`) reach OpenAI and Anthropic clients as valid tool calls, streamed and not,
// from an OpenAI-compatible and an Ollama upstream; each mended call counts in the log row.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let compat: Scripted
let ollama: Scripted
let gw: TestGateway
let openai: OpenAI
let anthropic: Anthropic

const READ_FILE = {
  name: 'read_file',
  description: 'Reads a file',
  parameters: { type: 'object' as const, properties: { path: { type: 'string' } }, required: ['path'] },
}
const OPENAI_TOOLS = [{ type: 'function' as const, function: READ_FILE }]
const ANTHROPIC_TOOLS = [
  { name: READ_FILE.name, description: READ_FILE.description, input_schema: READ_FILE.parameters },
]

/** Hermes-style text, cut so that the markers are split across chunks. */
const HERMES_PIECES = [
  'I will read it.\n<tool',
  '_call>\n{"name": "read',
  '_file", "arguments": {"path": "notes',
  '.txt"}}\n</tool_',
  'call>\n',
]
const HERMES_TEXT = HERMES_PIECES.join('')
/** Arguments a local model broke: single quotes, a trailing comma, no closing brace. */
const BROKEN_PIECES = ["{'path': ", '"notes.txt",']

const oaChunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`

const oaReply = (message: object, finish: string) => ({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
})

const BROKEN_CALL = {
  id: 'call_1',
  type: 'function',
  function: { name: 'read_file', arguments: BROKEN_PIECES.join('') },
}

const ollamaLine = (message: object, done = false) =>
  `${JSON.stringify({ model: 'm', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content: '', ...message }, done, ...(done ? { done_reason: 'stop', prompt_eval_count: 10, eval_count: 5 } : {}) })}\n`

beforeAll(async () => {
  compat = await startScriptedUpstream({
    'POST /v1/chat/completions': (req, res) => {
      const body = req.body as { model: string; stream?: boolean }
      const hermes = body.model === 'hermes'
      if (!body.stream) {
        const message = hermes ? { content: HERMES_TEXT } : { content: null, tool_calls: [BROKEN_CALL] }
        return sendJson(res, 200, oaReply(message, hermes ? 'stop' : 'tool_calls'))
      }
      const frames = hermes
        ? [oaChunk({ role: 'assistant', content: '' }), ...HERMES_PIECES.map((content) => oaChunk({ content }))]
        : [
            oaChunk({ role: 'assistant', content: null }),
            oaChunk({
              tool_calls: [
                { index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '' } },
              ],
            }),
            ...BROKEN_PIECES.map((a) => oaChunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
          ]
      sendSse(res, [
        ...frames,
        oaChunk({}, hermes ? 'stop' : 'tool_calls'),
        oaChunk({}, null, { choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }),
        'data: [DONE]\n\n',
      ])
    },
  })
  ollama = await startScriptedUpstream({
    'POST /api/chat': (req, res) => {
      const body = req.body as { model: string; stream?: boolean }
      const hermes = body.model === 'hermes'
      // Ollama hands arguments over as an object, or (some builds and templates) as the model's own text.
      const call = { function: { name: 'read_file', arguments: BROKEN_PIECES.join('') } }
      if (body.stream === false) {
        const message = hermes ? { content: HERMES_TEXT } : { tool_calls: [call] }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(ollamaLine(message, true))
        return
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      if (hermes) for (const content of HERMES_PIECES) res.write(ollamaLine({ content }))
      else res.write(ollamaLine({ tool_calls: [call] }))
      res.end(ollamaLine({}, true))
    },
  })
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${compat.url}/v1" }
  local: { type: ollama, baseUrl: "${ollama.url}" }
routes:
  qwen: { targets: [ { model: compat/hermes, toolCallFormat: hermes } ] }
  qwen-ollama: { targets: [ { model: local/hermes, toolCallFormat: hermes } ] }
  broken-configured: { targets: [ { model: compat/broken, toolCallFormat: auto } ] }
`)
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await compat?.stop()
  await ollama?.stop()
})

async function viaOpenAI(model: string, stream: boolean) {
  const before = gw.events.length
  const params = { model, messages: [{ role: 'user' as const, content: 'read notes.txt' }], tools: OPENAI_TOOLS }
  let message: { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }
  let finish: string | null
  if (stream) {
    const s = openai.chat.completions.stream({ ...params, stream: true })
    const done = await s.finalChatCompletion()
    message = done.choices[0].message as typeof message
    finish = done.choices[0].finish_reason
  } else {
    const done = await openai.chat.completions.create(params)
    message = done.choices[0].message as typeof message
    finish = done.choices[0].finish_reason
  }
  const [row] = (await waitForEvents(gw, before + 1)).slice(before)
  return { message, finish, row }
}

async function viaAnthropic(model: string, stream: boolean) {
  const before = gw.events.length
  const params = {
    model,
    max_tokens: 100,
    messages: [{ role: 'user' as const, content: 'read notes.txt' }],
    tools: ANTHROPIC_TOOLS,
  }
  const message = stream
    ? await anthropic.messages.stream(params).finalMessage()
    : await anthropic.messages.create(params)
  const [row] = (await waitForEvents(gw, before + 1)).slice(before)
  return { message, row }
}

describe('broken tool-call arguments are repaired', () => {
  it.each([
    ['an OpenAI-compatible upstream passed through, not streamed', 'compat/broken', false],
    ['an OpenAI-compatible target with a toolCallFormat, streamed', 'broken-configured', true],
    ['an Ollama upstream, not streamed', 'local/broken', false],
    ['an Ollama upstream, streamed', 'local/broken', true],
  ])('for an OpenAI client: %s', async (_name, model, stream) => {
    const { message, finish, row } = await viaOpenAI(model, stream)
    expect(message.tool_calls).toHaveLength(1)
    expect(message.tool_calls![0].function.name).toBe('read_file')
    expect(JSON.parse(message.tool_calls![0].function.arguments)).toEqual({ path: 'notes.txt' })
    expect(finish).toBe('tool_calls')
    expect(row.status).toBe(200)
    expect(row.toolCallRepairs).toBe(1)
  })

  it.each([
    ['an OpenAI-compatible upstream, streamed', 'compat/broken', true],
    ['an OpenAI-compatible upstream, not streamed', 'compat/broken', false],
    ['an Ollama upstream, streamed', 'local/broken', true],
  ])('for an Anthropic client: %s', async (_name, model, stream) => {
    const { message, row } = await viaAnthropic(model, stream)
    const tools = message.content.filter((b) => b.type === 'tool_use')
    expect(tools).toHaveLength(1)
    expect(tools[0]).toMatchObject({ name: 'read_file', input: { path: 'notes.txt' } })
    expect(message.stop_reason).toBe('tool_use')
    expect(row.toolCallRepairs).toBe(1)
  })

  it('leaves valid arguments and calls without tools uncounted', async () => {
    const { row } = await viaOpenAI('compat/hermes', false)
    expect(row.toolCallRepairs).toBeUndefined()
  })
})

describe('tool calls written as text become tool calls', () => {
  it.each([
    ['OpenAI-compatible, not streamed', 'qwen', false],
    ['OpenAI-compatible, streamed', 'qwen', true],
    ['Ollama, not streamed', 'qwen-ollama', false],
    ['Ollama, streamed', 'qwen-ollama', true],
  ])('for an OpenAI client: %s', async (_name, model, stream) => {
    const { message, finish, row } = await viaOpenAI(model, stream)
    expect(message.tool_calls).toHaveLength(1)
    expect(message.tool_calls![0].function.name).toBe('read_file')
    expect(JSON.parse(message.tool_calls![0].function.arguments)).toEqual({ path: 'notes.txt' })
    expect(message.content ?? '').not.toContain('tool_call')
    expect(message.content ?? '').toContain('I will read it.')
    expect(finish).toBe('tool_calls')
    expect(row.toolCallRepairs).toBe(1)
  })

  it.each([
    ['OpenAI-compatible, streamed', 'qwen', true],
    ['OpenAI-compatible, not streamed', 'qwen', false],
    ['Ollama, streamed', 'qwen-ollama', true],
  ])('for an Anthropic client: %s', async (_name, model, stream) => {
    const { message, row } = await viaAnthropic(model, stream)
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('')
    expect(text).toContain('I will read it.')
    expect(text).not.toMatch(/tool_call|[{}]/)
    const tools = message.content.filter((b) => b.type === 'tool_use')
    expect(tools).toHaveLength(1)
    expect(tools[0]).toMatchObject({ name: 'read_file', input: { path: 'notes.txt' } })
    expect(message.stop_reason).toBe('tool_use')
    expect(row.toolCallRepairs).toBe(1)
  })

  it.each([
    ['streamed', true],
    ['not streamed', false],
  ])('for a Responses client: %s', async (_name, stream) => {
    const before = gw.events.length
    const params = {
      model: 'qwen',
      input: 'read notes.txt',
      tools: [{ type: 'function' as const, strict: false, ...READ_FILE }],
    }
    const res = stream ? await openai.responses.stream(params).finalResponse() : await openai.responses.create(params)
    const calls = res.output.flatMap((item) => (item.type === 'function_call' ? [item] : []))
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ name: 'read_file' })
    expect(JSON.parse(calls[0].arguments)).toEqual({ path: 'notes.txt' })
    expect(res.output_text).not.toContain('tool_call')
    const [row] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(row.toolCallRepairs).toBe(1)
  })

  it('leaves the text of a model without a toolCallFormat as it was', async () => {
    const { message, row } = await viaOpenAI('compat/hermes', true)
    expect(message.content).toBe(HERMES_TEXT)
    expect(message.tool_calls ?? []).toHaveLength(0)
    expect(row.toolCallRepairs).toBeUndefined()
  })
})
