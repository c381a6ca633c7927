import { createHmac } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams.js'

// A Claude Code conversation with signed thinking, redacted thinking and a tool loop, sent turn by turn to an
// OpenAI-compatible reasoning model and to Anthropic, through the real Anthropic SDK, streamed and not. Both
// upstreams are as strict as the real ones: the Anthropic mock accepts only signatures it issued and the
// "final assistant message must start with a thinking block" rule; the DeepSeek-like mock rejects unknown
// message fields and `reasoning_content` on turns before the last user message.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
type Obj = Record<string, unknown>
type Block = Obj & { type: string }
type Msg = { role: string; content: string | Block[] }

const sign = (text: string) => createHmac('sha256', 'anthropic-mock').update(text).digest('base64')
const REDACTED = 'EmwKAhgBEgy3va3pzix/LafPsn4aredacted'
const T1 = { type: 'thinking', thinking: 'The user greets me.', signature: sign('The user greets me.') }
const T2 = { type: 'thinking', thinking: 'I should read a.txt.', signature: sign('I should read a.txt.') }
const R = { type: 'redacted_thinking', data: REDACTED }
const READ_FILE = {
  name: 'read_file',
  description: 'Read a file',
  input_schema: { type: 'object' as const, properties: { path: { type: 'string' } }, required: ['path'] },
}

/** A Claude Code history: a finished turn with thinking, then a tool loop with thinking and redacted thinking. */
const HISTORY: Msg[] = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: [T1, { type: 'text', text: 'Hello.' }] },
  { role: 'user', content: 'Read a.txt' },
  {
    role: 'assistant',
    content: [T2, R, { type: 'tool_use', id: 'toolu_a', name: 'read_file', input: { path: 'a.txt' } }],
  },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'alpha' }] },
]

const anthropicError = (res: ServerResponse, message: string) =>
  sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message } })

/** What the real Messages API checks about thinking; the error text is Anthropic's. */
function thinkingProblem(body: Obj): string | undefined {
  const msgs = body.messages as Msg[]
  for (const [i, m] of msgs.entries()) {
    if (m.role !== 'assistant' || typeof m.content === 'string') continue
    for (const [j, b] of m.content.entries()) {
      if (b.type === 'thinking' && b.signature !== sign(String(b.thinking))) {
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`
      }
      if (b.type === 'redacted_thinking' && b.data !== REDACTED) {
        return `messages.${i}.content.${j}: Invalid \`data\` in \`redacted_thinking\` block`
      }
    }
  }
  const thinking = body.thinking as { type: string; budget_tokens?: number } | undefined
  if (!thinking || thinking.type === 'disabled') return undefined
  if (thinking.type === 'enabled' && !((thinking.budget_tokens ?? 0) < (body.max_tokens as number))) {
    return '`max_tokens` must be greater than `thinking.budget_tokens`'
  }
  const choice = (body.tool_choice as { type?: string } | undefined)?.type
  if (choice === 'any' || choice === 'tool') return 'Thinking may not be enabled when tool_choice forces tool use.'
  const last = msgs.length - 1
  const lastContent = msgs[last].content
  const k =
    msgs[last].role === 'assistant'
      ? last
      : Array.isArray(lastContent) && lastContent.some((b) => b.type === 'tool_result')
        ? last - 1
        : -1
  const final = msgs[k]
  if (final?.role === 'assistant' && Array.isArray(final.content)) {
    const first = final.content[0]?.type
    if (first !== 'thinking' && first !== 'redacted_thinking') {
      return `messages.${k}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`
    }
  }
  return undefined
}

const CLAUDE_THOUGHT = 'Claude considers beta.'

function claudeAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as Obj
  const problem = thinkingProblem(body)
  if (problem) return anthropicError(res, problem)
  const usage = { input_tokens: 50, output_tokens: 7 }
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id: 'msg_claude',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: CLAUDE_THOUGHT, signature: sign(CLAUDE_THOUGHT) },
        { type: 'text', text: 'Claude answers.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    })
  }
  const ev = (type: string, data: Obj) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  sendSse(res, [
    ev('message_start', {
      message: {
        id: 'msg_claude',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 50, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: CLAUDE_THOUGHT } }),
    ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: sign(CLAUDE_THOUGHT) } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Claude answers.' } }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }),
    ev('message_stop', {}),
  ])
}

const MESSAGE_FIELDS = new Set(['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'reasoning_content'])

/** DeepSeek-reasoner-like: strict message fields, and reasoning passed back only within the current tool loop. */
function deepProblem(body: Obj): string | undefined {
  const msgs = body.messages as Obj[]
  let lastUser = -1
  msgs.forEach((m, i) => {
    if (m.role === 'user') lastUser = i
  })
  for (const [i, m] of msgs.entries()) {
    for (const k of Object.keys(m)) {
      if (!MESSAGE_FIELDS.has(k)) return `messages[${i}]: Extra inputs are not permitted: ${k}`
    }
    if (m.reasoning_content !== undefined && i < lastUser) {
      return `messages[${i}]: reasoning_content of an earlier turn must not be sent back`
    }
  }
  return undefined
}

function deepAnswer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as Obj
  const problem = deepProblem(body)
  if (problem) return sendJson(res, 400, { error: { message: problem, type: 'invalid_request_error' } })
  // It reads b.txt, then answers once b.txt's content is in.
  const last = (body.messages as Obj[]).at(-1)
  const inLoop = last?.role === 'tool' && last.tool_call_id === 'call_b'
  const reasoning = inLoop ? 'Beta is read.' : 'I should read b.txt.'
  const call = { id: 'call_b', type: 'function', function: { name: 'read_file', arguments: '{"path":"b.txt"}' } }
  const usage = { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 }
  if (body.stream !== true) {
    const message = inLoop
      ? { role: 'assistant', content: 'Deep answers.', reasoning_content: reasoning }
      : { role: 'assistant', content: null, reasoning_content: reasoning, tool_calls: [call] }
    return sendJson(res, 200, {
      id: 'deep1',
      object: 'chat.completion',
      created: 1,
      model: 'deepseek-r1',
      choices: [{ index: 0, message, finish_reason: inLoop ? 'stop' : 'tool_calls' }],
      usage,
    })
  }
  const chunk = (delta: Obj, finish: string | null = null, extra: Obj = {}) =>
    `data: ${JSON.stringify({ id: 'deep1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-r1', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`
  sendSse(res, [
    chunk({ role: 'assistant', content: null }),
    chunk({ reasoning_content: reasoning.slice(0, 6) }),
    chunk({ reasoning_content: reasoning.slice(6) }),
    inLoop ? chunk({ content: 'Deep answers.' }) : chunk({ tool_calls: [{ index: 0, ...call }] }),
    chunk({}, inLoop ? 'stop' : 'tool_calls'),
    chunk({}, null, { choices: [], usage }),
    'data: [DONE]\n\n',
  ])
}

let claude: Scripted
let deep: Scripted
let gw: TestGateway
let client: Anthropic

beforeAll(async () => {
  claude = await startScriptedUpstream({ 'POST /v1/messages': claudeAnswer })
  deep = await startScriptedUpstream({ 'POST /v1/chat/completions': deepAnswer })
  gw = await startGateway(`
providers:
  claude: { type: anthropic, baseUrl: "${claude.url}", apiKey: sk-ant-test }
  deep: { type: openai-compatible, baseUrl: "${deep.url}/v1" }
`)
  client = new Anthropic({ baseURL: gw.url, apiKey: 'any', maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await Promise.all([claude?.stop(), deep?.stop()])
})

const lastBody = (up: Scripted) => up.requests.at(-1)?.body as Obj & { messages: Msg[] }

/** Claude Code also asks for old thinking to be cleared (context editing), an edit that goes with thinking. */
const CONTEXT_MANAGEMENT = { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] }

async function turn(model: string, messages: Msg[], stream: boolean): Promise<Anthropic.Message> {
  const params = {
    model,
    max_tokens: 4096,
    thinking: { type: 'enabled' as const, budget_tokens: 2048 },
    tools: [READ_FILE],
    messages: messages as Anthropic.MessageParam[],
    context_management: CONTEXT_MANAGEMENT,
  }
  return stream ? client.messages.stream(params).finalMessage() : client.messages.create(params)
}

describe.each([false, true])('thinking round trip (stream: %s)', (stream) => {
  it('passes a Claude tool loop with its own thinking to Anthropic unchanged, thinking on', async () => {
    const reply = await turn('claude/claude-sonnet-4-5', HISTORY, stream)
    expect(reply.content.map((b) => b.type)).toEqual(['thinking', 'text'])
    const sent = lastBody(claude)
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 })
    expect(sent.context_management).toEqual(CONTEXT_MANAGEMENT)
    expect(sent.messages).toEqual(HISTORY)
  })

  it('goes OpenAI-compatible → Anthropic → OpenAI-compatible without a 400 on any turn', async () => {
    // Turn 1: the tool loop continues on the OpenAI-compatible reasoning model.
    const first = await turn('deep/deepseek-r1', HISTORY, stream)
    expect(first.stop_reason).toBe('tool_use')
    expect(first.content.map((b) => b.type)).toEqual(['thinking', 'tool_use'])
    const thought = first.content[0] as Anthropic.ThinkingBlock
    expect(thought.thinking).toBe('I should read b.txt.')
    // A signature Anthropic would reject, but the gateway recognises as its own when it comes back.
    expect(thought.signature).not.toBe('')
    // Claude's own thinking is not another model's to read: no reasoning_content reaches this upstream.
    expect(lastBody(deep).messages.some((m) => 'reasoning_content' in m)).toBe(false)

    // Turn 2: the same history plus that reply and the tool's result, to Anthropic.
    const second: Msg[] = [
      ...HISTORY,
      { role: 'assistant', content: first.content as unknown as Block[] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_b', content: 'beta' }] },
    ]
    const reply = await turn('claude/claude-sonnet-4-5', second, stream)
    expect(reply.content.map((b) => b.type)).toEqual(['thinking', 'text'])
    const sent = lastBody(claude)
    // Anthropic's own blocks go back byte for byte; the gateway's block from the other model does not go.
    expect(sent.messages.slice(0, 5)).toEqual(HISTORY)
    expect(sent.messages[5]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'call_b', name: 'read_file', input: { path: 'b.txt' } }],
    })
    // The last tool turn has no thinking Anthropic signed, so this one request runs without thinking.
    expect(sent.thinking).toBeUndefined()
    expect(sent.context_management).toBeUndefined()

    // Turn 3: the conversation goes on, back to the OpenAI-compatible model.
    const third: Msg[] = [
      ...second,
      { role: 'assistant', content: reply.content as unknown as Block[] },
      { role: 'user', content: 'Thanks' },
    ]
    const last = await turn('deep/deepseek-r1', third, stream)
    expect(last.content.map((b) => b.type)).toEqual(['thinking', 'tool_use'])
  })

  it('passes the OpenAI-compatible model its own reasoning back within its tool loop', async () => {
    const first = await turn('deep/deepseek-r1', [{ role: 'user', content: 'Read b.txt' }], stream)
    const loop: Msg[] = [
      { role: 'user', content: 'Read b.txt' },
      { role: 'assistant', content: first.content as unknown as Block[] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_b', content: 'beta' }] },
    ]
    const reply = await turn('deep/deepseek-r1', loop, stream)
    expect(reply.content).toMatchObject([
      { type: 'thinking', thinking: 'Beta is read.' },
      { type: 'text', text: 'Deep answers.' },
    ])
    expect(lastBody(deep).messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'I should read b.txt.' })
  })
})

describe('thinking with a forced tool', () => {
  it('asks Anthropic without thinking rather than fail', async () => {
    const reply = await client.messages.create({
      model: 'claude/claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [READ_FILE],
      tool_choice: { type: 'tool', name: 'read_file' },
      messages: [{ role: 'user', content: 'Read a.txt' }],
    })
    expect(reply.content.at(-1)).toMatchObject({ type: 'text' })
    expect(lastBody(claude).thinking).toBeUndefined()
  })
})

describe('an OpenAI client in a tool loop with reasoning_effort, to Anthropic', () => {
  it('gets an answer: its assistant turns carry no signed thinking, so that request runs without thinking', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
    const res = await openai.chat.completions.create({
      model: 'claude/claude-sonnet-4-5',
      reasoning_effort: 'low',
      messages: [
        { role: 'user', content: 'Read a.txt' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_a', content: 'alpha' },
      ],
    })
    expect(res.choices[0].message.content).toBe('Claude answers.')
    expect(lastBody(claude).thinking).toBeUndefined()
  })

  it('keeps thinking on a fresh user turn', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
    const res = await openai.chat.completions.create({
      model: 'claude/claude-sonnet-4-5',
      reasoning_effort: 'low',
      messages: [{ role: 'user', content: 'Hi' }],
    })
    expect(res.choices[0].message).toMatchObject({ content: 'Claude answers.', reasoning_content: CLAUDE_THOUGHT })
    expect(lastBody(claude).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 })
  })
})

describe('an OpenAI client that sends thinking_blocks back', () => {
  it('keeps thinking on in its tool loop: the blocks reach Anthropic as they came', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
    const first = await openai.chat.completions.create({
      model: 'claude/claude-sonnet-4-5',
      reasoning_effort: 'low',
      messages: [{ role: 'user', content: 'Read a.txt' }],
    })
    // The gateway's extension (LiteLLM's too): Anthropic's blocks on the message, signatures intact.
    const blocks = (first.choices[0].message as unknown as { thinking_blocks: Obj[] }).thinking_blocks
    expect(blocks).toEqual([{ type: 'thinking', thinking: CLAUDE_THOUGHT, signature: sign(CLAUDE_THOUGHT) }])
    await openai.chat.completions.create({
      model: 'claude/claude-sonnet-4-5',
      reasoning_effort: 'low',
      messages: [
        { role: 'user', content: 'Read a.txt' },
        {
          role: 'assistant',
          content: null,
          thinking_blocks: blocks,
          tool_calls: [
            { id: 'toolu_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } },
          ],
        } as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: 'toolu_a', content: 'alpha' },
      ],
    })
    const sent = lastBody(claude)
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 })
    expect((sent.messages[1].content as Block[])[0]).toEqual(blocks[0])
  })
})

describe.each([false, true])('a Responses client (Codex) in a tool loop on Anthropic (stream: %s)', (stream) => {
  it('sends Claude its signed thinking back through the reasoning items, so thinking stays on', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 })
    const params = {
      model: 'claude/claude-sonnet-4-5',
      reasoning: { effort: 'low' as const },
      include: ['reasoning.encrypted_content' as const],
      tools: [{ type: 'function' as const, name: 'read_file', parameters: READ_FILE.input_schema, strict: false }],
    }
    const ask = (input: OpenAI.Responses.ResponseInput) =>
      stream
        ? openai.responses.stream({ ...params, input }).finalResponse()
        : openai.responses.create({ ...params, input })
    const first = await ask([{ role: 'user', content: 'Read a.txt' }])
    const reasoning = first.output.filter((i) => i.type === 'reasoning') as OpenAI.Responses.ResponseReasoningItem[]
    expect(reasoning).toMatchObject([{ summary: [{ type: 'summary_text', text: CLAUDE_THOUGHT }] }])

    // Codex sends the reasoning items back with the tool call the model made and its result.
    await ask([
      { role: 'user', content: 'Read a.txt' },
      ...reasoning,
      { type: 'function_call', call_id: 'toolu_r', name: 'read_file', arguments: '{"path":"a.txt"}' },
      { type: 'function_call_output', call_id: 'toolu_r', output: 'alpha' },
    ])
    const sent = lastBody(claude)
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 })
    expect(sent.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: CLAUDE_THOUGHT, signature: sign(CLAUDE_THOUGHT) },
        { type: 'tool_use', id: 'toolu_r', name: 'read_file', input: { path: 'a.txt' } },
      ],
    })
  })
})
