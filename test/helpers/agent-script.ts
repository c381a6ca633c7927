import type { ServerResponse } from 'node:http'
import { type RecordedRequest, sendJson, sendSse, startScriptedUpstream } from './upstreams.js'

// A model that plays a coding agent's two-turn tool script, in the three wire formats agents reach through the
// gateway: OpenAI-compatible chat completions, Ollama's /api/chat and Anthropic's /v1/messages, streamed or not.
// Turn 1: the agent offers its tools and the model calls one (read a file). Turn 2: the request must carry the
// tool's result with the file's content, and the model gives its final answer. Whatever else the agent asks on
// the side (a title, a topic check: requests without the tool) gets a short plain answer, so the script does not
// depend on how chatty an agent version is. count_tokens is not served: the gateway estimates.
// The model's name says how it writes its call, as local models do (AGENT_MODELS).

type Obj = Record<string, unknown>

export interface ToolCall {
  name: string
  arguments: Obj
}

export interface AgentScript {
  /** Turn 1's call, picked from the tool names the agent offered; undefined when none of them fits. */
  toolCall(offered: string[]): ToolCall | undefined
  /** What the tool's result must contain on turn 2 (the file's content). */
  expect: string
  /** The final answer, given once the result carries `expect`. */
  answer: string
  /**
   * For an agent that compacts its conversation when told it is too long: a request whose last user text
   * matches `asks` (the agent's summary prompt) gets `reply`; a later conversation that carries `remembered`
   * (from the reply, as the agent keeps it) gets `answer`.
   */
  compaction?: { asks: RegExp; reply: string; remembered: string; answer: string }
}

/**
 * What the model did with one request: the scripted call or answer, a side answer, a missing result, the
 * compaction's summary and the answer after it, or a refusal of another model's thinking (Anthropic).
 */
export type AgentTurn =
  | { kind: 'tool-call'; format: Format; call: ToolCall }
  | { kind: 'answer'; format: Format; result: string }
  | { kind: 'result-without-content'; format: Format; result: string }
  | { kind: 'side'; format: Format }
  | { kind: 'summary'; format: Format }
  | { kind: 'after-summary'; format: Format }
  | { kind: 'refused'; format: Format }

type Format = 'openai' | 'ollama' | 'anthropic'

/**
 * The models the upstream serves, by how they write a tool call: in the API's tool-call fields; as Hermes/Qwen
 * `<tool_call>` text in the answer (OpenAI-compatible and Ollama); with arguments that are not JSON (single
 * quotes, a trailing comma: OpenAI-compatible, whose arguments are a string); in the fields after reasoning
 * (REASONING as `reasoning_content`, DeepSeek-style, or Ollama's `thinking`).
 */
export const AGENT_MODELS = {
  fields: 'agent-model',
  hermesText: 'hermes-model',
  brokenJson: 'sloppy-model',
  reasoning: 'reasoning-model',
} as const

/** What the reasoning model thinks before its tool call. */
export const REASONING = 'The user wants the code word, so I read the file first.'

/** The context window the models state (Ollama's /api/show). */
export const AGENT_WINDOW = 32768

type Writes = keyof typeof AGENT_MODELS

function writesOf(model: unknown): Writes {
  const found = Object.entries(AGENT_MODELS).find(([, name]) => name === model)
  return (found?.[0] as Writes | undefined) ?? 'fields'
}

/** A request as the script sees it, in any format: the tools offered and the tool result it ends with. */
interface Seen {
  tools: string[]
  result: string | undefined
}

type Reply = { kind: 'call'; call: ToolCall; id: string; writes: Writes } | { kind: 'text'; text: string }

const SIDE_ANSWER = 'Noted.'
const USAGE = { input: 40, output: 9 }

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((p: Obj) => (typeof p.text === 'string' ? p.text : textOf(p.content))).join('')
}

/** OpenAI and Ollama: tools as `{function: {name}}`, a tool result as a last message of role `tool`. */
function seenChat(body: { messages?: Obj[]; tools?: { function?: { name?: string } }[] }): Seen {
  const last = body.messages?.at(-1)
  return {
    tools: (body.tools ?? []).map((t) => t.function?.name ?? ''),
    result: last?.role === 'tool' ? textOf(last.content) : undefined,
  }
}

/** Anthropic: tools as `{name}`, results as `tool_result` blocks in the last user turn (maybe beside text). */
function seenAnthropic(body: { messages?: Obj[]; tools?: { name?: string }[] }): Seen {
  const last = body.messages?.at(-1)
  const blocks = last?.role === 'user' && Array.isArray(last.content) ? (last.content as Obj[]) : []
  const results = blocks.filter((b) => b.type === 'tool_result')
  return {
    tools: (body.tools ?? []).map((t) => t.name ?? ''),
    result: results.length > 0 ? results.map((b) => textOf(b.content)).join('\n') : undefined,
  }
}

/**
 * Anthropic refuses a thinking block it did not sign; this model signs none, so any thinking block sent back
 * to it is another model's. Anthropic's message for it.
 */
function foreignThinking(body: Obj): string | undefined {
  for (const [i, m] of ((body.messages as Obj[] | undefined) ?? []).entries()) {
    if (m.role !== 'assistant' || !Array.isArray(m.content)) continue
    const j = (m.content as Obj[]).findIndex((b) => b.type === 'thinking' || b.type === 'redacted_thinking')
    if (j >= 0) return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`
  }
  return undefined
}

export interface AgentUpstream {
  url: string
  /** Every request received, in order (paths tell which format the gateway used). */
  requests: RecordedRequest[]
  /** What the model did, one entry per chat request. */
  turns: AgentTurn[]
  /** The providers of the three types, all pointing at this upstream, as config YAML lines. */
  providersYaml: string
  stop(): Promise<void>
}

/** Starts the scripted model, listing AGENT_MODELS (Ollama's /api/tags and /api/show, /v1/models). */
export async function startAgentUpstream(script: AgentScript): Promise<AgentUpstream> {
  const turns: AgentTurn[] = []
  let calls = 0
  const play = (format: Format, body: Obj, seen: Seen): Reply => {
    const { compaction } = script
    if (compaction) {
      const messages = (body.messages as Obj[] | undefined) ?? []
      if (compaction.asks.test(textOf(messages.findLast((m) => m.role === 'user')?.content))) {
        turns.push({ kind: 'summary', format })
        return { kind: 'text', text: compaction.reply }
      }
      if (JSON.stringify(messages).includes(compaction.remembered)) {
        turns.push({ kind: 'after-summary', format })
        return { kind: 'text', text: compaction.answer }
      }
    }
    if (seen.result !== undefined) {
      const carried = seen.result.includes(script.expect)
      turns.push({ kind: carried ? 'answer' : 'result-without-content', format, result: seen.result })
      // Said in the answer too, so a failing run's output shows what the agent sent back.
      return { kind: 'text', text: carried ? script.answer : `The tool result lacked the file: ${seen.result}` }
    }
    const call = script.toolCall(seen.tools)
    if (!call) {
      turns.push({ kind: 'side', format })
      return { kind: 'text', text: SIDE_ANSWER }
    }
    turns.push({ kind: 'tool-call', format, call })
    calls++
    return { kind: 'call', call, id: `call_${calls}`, writes: writesOf(body.model) }
  }
  const models = Object.values(AGENT_MODELS)
  const up = await startScriptedUpstream({
    'POST /v1/chat/completions': (req, res) => {
      const body = req.body as Obj
      openaiReply(body, res, play('openai', body, seenChat(body)))
    },
    'POST /api/chat': (req, res) => {
      const body = req.body as Obj
      ollamaReply(body, res, play('ollama', body, seenChat(body)))
    },
    'POST /v1/messages': (req, res) => {
      const body = req.body as Obj
      const foreign = foreignThinking(body)
      if (foreign) {
        turns.push({ kind: 'refused', format: 'anthropic' })
        return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: foreign } })
      }
      anthropicReply(body, res, play('anthropic', body, seenAnthropic(body)))
    },
    'GET /v1/models': (_req, res) =>
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model' })) }),
    'GET /api/tags': (_req, res) => sendJson(res, 200, { models: models.map((name) => ({ name, model: name })) }),
    'POST /api/show': (_req, res) =>
      sendJson(res, 200, {
        model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': AGENT_WINDOW },
      }),
  })
  return {
    ...up,
    turns,
    providersYaml: `
  compat: { type: openai-compatible, baseUrl: "${up.url}/v1" }
  local: { type: ollama, baseUrl: "${up.url}" }
  claude: { type: anthropic, baseUrl: "${up.url}", apiKey: sk-ant-test }`,
  }
}

/** A tool call's arguments or an answer's text in two pieces, as streaming models send them. */
function halves(text: string): [string, string] {
  const mid = Math.floor(text.length / 2)
  return [text.slice(0, mid), text.slice(mid)]
}

/** The call as a Hermes/Qwen model writes it into its answer when the server does not parse it. */
const hermesText = (call: ToolCall) =>
  `I will look.\n<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.arguments })}\n</tool_call>`

/** The call's arguments as a sloppy model writes them: single quotes and a trailing comma. */
const brokenJson = (args: Obj) =>
  `{${Object.entries(args)
    .map(([k, v]) => `'${k}': '${String(v)}'`)
    .join(', ')},}`

/** A call written as text is, on the wire, a text answer. */
function asWritten(reply: Reply): Reply {
  return reply.kind === 'call' && reply.writes === 'hermesText' ? { kind: 'text', text: hermesText(reply.call) } : reply
}

const oaChunk = (delta: Obj, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-agent', object: 'chat.completion.chunk', created: 1, model: 'agent-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

function openaiReply(body: Obj, res: ServerResponse, played: Reply) {
  const reply = asWritten(played)
  const usage = {
    prompt_tokens: USAGE.input,
    completion_tokens: USAGE.output,
    total_tokens: USAGE.input + USAGE.output,
  }
  const finish = reply.kind === 'call' ? 'tool_calls' : 'stop'
  const args =
    reply.kind !== 'call'
      ? ''
      : reply.writes === 'brokenJson'
        ? brokenJson(reply.call.arguments)
        : JSON.stringify(reply.call.arguments)
  if (!body.stream) {
    const message =
      reply.kind === 'call'
        ? {
            role: 'assistant',
            content: null,
            ...(reply.writes === 'reasoning' && { reasoning_content: REASONING }),
            tool_calls: [{ id: reply.id, type: 'function', function: { name: reply.call.name, arguments: args } }],
          }
        : { role: 'assistant', content: reply.text }
    return sendJson(res, 200, {
      id: 'chatcmpl-agent',
      object: 'chat.completion',
      created: 1,
      model: 'agent-model',
      choices: [{ index: 0, message, finish_reason: finish }],
      usage,
    })
  }
  const frames = [oaChunk({ role: 'assistant', content: reply.kind === 'call' ? null : '' })]
  if (reply.kind === 'call') {
    const [a, b] = halves(args)
    if (reply.writes === 'reasoning') frames.push(oaChunk({ reasoning_content: REASONING }))
    frames.push(
      oaChunk({
        tool_calls: [{ index: 0, id: reply.id, type: 'function', function: { name: reply.call.name, arguments: a } }],
      }),
      oaChunk({ tool_calls: [{ index: 0, function: { arguments: b } }] }),
    )
  } else {
    const [a, b] = halves(reply.text)
    frames.push(oaChunk({ content: a }), oaChunk({ content: b }))
  }
  frames.push(
    oaChunk({}, finish),
    `data: ${JSON.stringify({ id: 'chatcmpl-agent', object: 'chat.completion.chunk', created: 1, model: 'agent-model', choices: [], usage })}\n\n`,
    'data: [DONE]\n\n',
  )
  sendSse(res, frames)
}

function ollamaReply(body: Obj, res: ServerResponse, played: Reply) {
  const reply = asWritten(played)
  const done = {
    model: 'agent-model',
    created_at: '2026-01-01T00:00:00Z',
    done: true,
    done_reason: 'stop',
    prompt_eval_count: USAGE.input,
    eval_count: USAGE.output,
  }
  // Ollama sends a tool call whole, with its arguments as an object, in one line.
  const messages =
    reply.kind === 'call'
      ? [
          {
            role: 'assistant',
            content: '',
            ...(reply.writes === 'reasoning' && { thinking: REASONING }),
            tool_calls: [{ function: reply.call }],
          },
        ]
      : halves(reply.text).map((content) => ({ role: 'assistant', content }))
  if (body.stream === false) {
    const message = reply.kind === 'call' ? messages[0] : { role: 'assistant', content: reply.text }
    return sendJson(res, 200, { ...done, message })
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  for (const message of messages) {
    res.write(`${JSON.stringify({ model: 'agent-model', created_at: done.created_at, message, done: false })}\n`)
  }
  res.end(`${JSON.stringify({ ...done, message: { role: 'assistant', content: '' } })}\n`)
}

const ev = (name: string, data: Obj) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`

/** Anthropic's tool inputs are objects by construction: its calls are always in the API's fields. */
function anthropicReply(body: Obj, res: ServerResponse, reply: Reply) {
  const stopReason = reply.kind === 'call' ? 'tool_use' : 'end_turn'
  const block =
    reply.kind === 'call'
      ? { type: 'tool_use', id: `toolu_${reply.id}`, name: reply.call.name, input: reply.call.arguments }
      : { type: 'text', text: reply.text }
  const message = {
    id: 'msg_agent',
    type: 'message',
    role: 'assistant',
    model: 'agent-model',
    stop_sequence: null,
  }
  if (!body.stream) {
    return sendJson(res, 200, {
      ...message,
      content: [block],
      stop_reason: stopReason,
      usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
    })
  }
  const [a, b] = halves(reply.kind === 'call' ? JSON.stringify(reply.call.arguments) : reply.text)
  const delta = (piece: string) =>
    reply.kind === 'call' ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece }
  sendSse(res, [
    ev('message_start', {
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens: USAGE.input, output_tokens: 1 } },
    }),
    ev('content_block_start', {
      index: 0,
      content_block: reply.kind === 'call' ? { ...block, input: {} } : { type: 'text', text: '' },
    }),
    ev('content_block_delta', { index: 0, delta: delta(a) }),
    ev('content_block_delta', { index: 0, delta: delta(b) }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: USAGE.output },
    }),
    ev('message_stop', {}),
  ])
}
