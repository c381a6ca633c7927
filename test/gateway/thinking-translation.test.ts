import type { ServerResponse } from 'node:http'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GATEWAY_THINKING_SIGNATURE } from '../../src-gateway/core/thinking-signature.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// Reasoning from OpenAI-compatible servers (`reasoning_content`, OpenRouter's `reasoning`) and Ollama
// (`message.thinking`) reaches Anthropic callers as thinking blocks and Responses callers as reasoning items,
// streamed and not, through the real SDKs; and the thinking knobs map across: reasoning_effort ↔
// budget_tokens, Ollama's `think`.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
type Obj = Record<string, unknown>

const THOUGHT = 'The user wants a greeting.'

/** OpenRouter names the field `reasoning`; DeepSeek, vLLM and llama.cpp `reasoning_content`. */
function compatAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as Obj
  const field = body.model === 'router-model' ? 'reasoning' : 'reasoning_content'
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: body.model,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello!', [field]: THOUGHT }, finish_reason: 'stop' },
      ],
      usage,
    })
  }
  const chunk = (delta: Obj, finish: string | null = null, extra: Obj = {}) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`
  sendSse(res, [
    chunk({ role: 'assistant', content: '' }),
    chunk({ [field]: THOUGHT.slice(0, 9) }),
    chunk({ [field]: THOUGHT.slice(9) }),
    chunk({ content: 'Hello!' }),
    chunk({}, 'stop'),
    chunk({}, null, { choices: [], usage }),
    'data: [DONE]\n\n',
  ])
}

function ollamaAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as Obj
  const line = (message: Obj, extra: Obj = {}) =>
    `${JSON.stringify({ model: body.model, created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', ...message }, done: false, ...extra })}\n`
  const last = { done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 5 }
  if (body.stream !== true) {
    return sendJson(res, 200, JSON.parse(line({ content: 'Hello!', thinking: THOUGHT }, last)))
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  res.end(
    line({ content: '', thinking: THOUGHT.slice(0, 9) }) +
      line({ content: '', thinking: THOUGHT.slice(9) }) +
      line({ content: 'Hello!' }) +
      line({ content: '' }, last),
  )
}

function claudeAnswer(_req: RecordedRequest, res: ServerResponse) {
  sendJson(res, 200, {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'Hi.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 2 },
  })
}

/**
 * Gemini 3 wants the thought signature of the first function call of the current turn echoed back, and
 * answers 400 without one (pitfall P8); clients of other dialects have nowhere to keep it.
 */
function geminiAnswer(req: RecordedRequest, res: ServerResponse) {
  const contents = (req.body as { contents: { role: string; parts: Obj[] }[] }).contents
  const lastUser = contents.findLastIndex((c) => c.role === 'user' && c.parts.some((p) => 'text' in p))
  for (const c of contents.slice(lastUser + 1)) {
    const first = c.parts.find((p) => 'functionCall' in p)
    if (req.path.includes('gemini-3') && first && !first.thoughtSignature) {
      return sendJson(res, 400, {
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: 'Function call is missing a thought_signature in functionCall parts.',
        },
      })
    }
  }
  sendJson(res, 200, {
    candidates: [{ content: { role: 'model', parts: [{ text: 'Done.' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 },
  })
}

let compat: Scripted
let ollama: Scripted
let claude: Scripted
let gemini: Scripted
let gw: TestGateway
let anthropic: Anthropic
let openai: OpenAI

beforeAll(async () => {
  compat = await startScriptedUpstream({ 'POST /v1/chat/completions': compatAnswer })
  ollama = await startScriptedUpstream({ 'POST /api/chat': ollamaAnswer })
  claude = await startScriptedUpstream({ 'POST /v1/messages': claudeAnswer })
  gemini = await startScriptedUpstream({
    'POST /v1beta/models/gemini-3-pro-preview:generateContent': geminiAnswer,
    'POST /v1beta/models/gemini-2.5-pro:generateContent': geminiAnswer,
  })
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${compat.url}/v1" }
  llama: { type: ollama, baseUrl: "${ollama.url}" }
  claude: { type: anthropic, baseUrl: "${claude.url}", apiKey: sk-ant-test }
  gem: { type: gemini, baseUrl: "${gemini.url}", apiKey: g-test }
`)
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await Promise.all([compat?.stop(), ollama?.stop(), claude?.stop(), gemini?.stop()])
})

const lastBody = (up: Scripted) => up.requests.at(-1)?.body as Obj

const REASONING_MODELS = ['compat/router-model', 'compat/deepseek-r1', 'llama/qwen3:8b'] as const

describe.each([false, true])('reasoning → thinking blocks for Anthropic callers (stream: %s)', (stream) => {
  it.each(REASONING_MODELS)('%s: a thinking block before the text, with the gateway signature', async (model) => {
    const params = {
      model,
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      messages: [{ role: 'user' as const, content: 'Hi' }],
    }
    const msg = stream
      ? await anthropic.messages.stream(params).finalMessage()
      : await anthropic.messages.create(params)
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: THOUGHT, signature: GATEWAY_THINKING_SIGNATURE },
      expect.objectContaining({ type: 'text', text: 'Hello!' }),
    ])
  })
})

describe.each([false, true])('reasoning → reasoning items for Responses callers (stream: %s)', (stream) => {
  it.each(REASONING_MODELS)('%s: a reasoning item with the summary text before the message', async (model) => {
    let res: OpenAI.Responses.Response
    if (stream) {
      const events: string[] = []
      const s = openai.responses.stream({ model, input: 'Hi' })
      s.on('event', (e) => events.push(e.type))
      res = await s.finalResponse()
      expect(events.indexOf('response.reasoning_summary_text.delta')).toBeLessThan(
        events.indexOf('response.output_text.delta'),
      )
    } else res = await openai.responses.create({ model, input: 'Hi' })
    expect(res.output.map((i) => i.type)).toEqual(['reasoning', 'message'])
    expect(res.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: THOUGHT }] })
    expect(res.output_text).toBe('Hello!')
  })
})

describe('reasoning items sent back by a Responses caller', () => {
  it('reach a DeepSeek-style model as reasoning_content on its tool-call turn', async () => {
    await openai.responses.create({
      model: 'compat/deepseek-r1',
      input: [
        { role: 'user', content: 'Read b.txt' },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'I should read b.txt.' }],
        },
        { type: 'function_call', call_id: 'call_b', name: 'read_file', arguments: '{"path":"b.txt"}' },
        { type: 'function_call_output', call_id: 'call_b', output: 'beta' },
      ],
    })
    const messages = lastBody(compat).messages as Obj[]
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      reasoning_content: 'I should read b.txt.',
      tool_calls: [{ id: 'call_b' }],
    })
  })
})

describe('thinking knobs across providers', () => {
  it('reasoning_effort from an OpenAI client becomes a thinking budget below max_tokens', async () => {
    await openai.chat.completions.create({
      model: 'claude/claude-sonnet-4-5',
      reasoning_effort: 'high',
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'Hi' }],
    })
    const sent = lastBody(claude)
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 })
    expect(sent.max_tokens).toBe(16384 + 1000)
  })

  it('reasoning.effort from a Responses client does too', async () => {
    await openai.responses.create({
      model: 'claude/claude-sonnet-4-5',
      reasoning: { effort: 'medium' },
      max_output_tokens: 8000,
      input: 'Hi',
    })
    const sent = lastBody(claude)
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 })
    expect(sent.max_tokens).toBe(8000)
  })

  it.each([
    ['compat/gpt-oss-120b', 10000, 'high'],
    ['compat/gpt-5-mini', 2048, 'low'],
    ['compat/o4-mini', 4096, 'medium'],
    ['compat/qwen3-32b', 10000, undefined],
    ['compat/deepseek-chat', 10000, undefined],
  ])('%s, asked for a thinking budget of %i, gets reasoning_effort %s', async (model, budget, effort) => {
    await anthropic.messages.create({
      model,
      max_tokens: 16000,
      thinking: { type: 'enabled', budget_tokens: budget },
      messages: [{ role: 'user', content: 'Hi' }],
    })
    expect(lastBody(compat).reasoning_effort).toBe(effort)
  })

  it.each([
    ['llama/qwen3:8b', true],
    ['llama/deepseek-r1:14b', true],
    ['llama/llama3.2', undefined],
    ['llama/qwen3-coder:30b', undefined],
  ])("Anthropic thinking switches Ollama's think on for %s only if it can think", async (model, think) => {
    await anthropic.messages.create({
      model,
      max_tokens: 1000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Hi' }],
    })
    expect(lastBody(ollama).think).toBe(think)
  })
})

describe('a tool loop from another model continued on Gemini', () => {
  const loop: Anthropic.MessageParam[] = [
    { role: 'user', content: 'Read a.txt' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'read_file', input: { path: 'a.txt' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'alpha' }] },
  ]

  it("gets Gemini 3's documented placeholder signature on calls that have none", async () => {
    const msg = await anthropic.messages.create({ model: 'gem/gemini-3-pro-preview', max_tokens: 100, messages: loop })
    expect(msg.content).toMatchObject([{ type: 'text', text: 'Done.' }])
    const model = (lastBody(gemini).contents as { parts: Obj[] }[])[1]
    expect(model.parts[0]).toMatchObject({ thoughtSignature: 'skip_thought_signature_validator' })
  })

  it('sends no signature to Gemini 2.5, which does not ask for one', async () => {
    await anthropic.messages.create({ model: 'gem/gemini-2.5-pro', max_tokens: 100, messages: loop })
    const model = (lastBody(gemini).contents as { parts: Obj[] }[])[1]
    expect(model.parts[0]).not.toHaveProperty('thoughtSignature')
  })
})
