import type { ServerResponse } from 'node:http'
import { type RecordedRequest, type ScriptedHandler, sendJson, sendSse, startScriptedUpstream } from './upstreams.js'

// A tool-calling upstream in every wire format the gateway translates to (OpenAI chat, Anthropic, Ollama,
// Gemini). Rule, the same everywhere: with tools offered and a user turn last, the model calls
// get_weather({"city":"Paris"}); with a tool result last, it answers "Tool said: <result>"; with no
// tools, "Echo: <last user text>".

const CALL_ARGS = { city: 'Paris' }
const USAGE = { input: 11, output: 7 }

type Turn = { kind: 'call' } | { kind: 'text'; text: string }

type Obj = Record<string, unknown>

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((p: Obj) => (typeof p.text === 'string' ? p.text : textOf(p.content))).join('')
}

function openaiTurn(body: { messages: Obj[]; tools?: unknown[] }): Turn {
  const last = body.messages.at(-1)!
  if (last.role === 'tool') return { kind: 'text', text: `Tool said: ${textOf(last.content)}` }
  if (body.tools?.length) return { kind: 'call' }
  const user = body.messages.findLast((m) => m.role === 'user')
  return { kind: 'text', text: `Echo: ${textOf(user?.content)}` }
}

const oaChunk = (delta: Obj, finish: string | null = null, extra: Obj = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-tool', object: 'chat.completion.chunk', created: 1, model: 'tool-model', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`

const openaiChat: ScriptedHandler = (req, res) => {
  const body = req.body as { messages: Obj[]; tools?: unknown[]; stream?: boolean }
  const turn = openaiTurn(body)
  const usage = {
    prompt_tokens: USAGE.input,
    completion_tokens: USAGE.output,
    total_tokens: USAGE.input + USAGE.output,
  }
  const call = {
    id: 'call_w1',
    type: 'function',
    function: { name: 'get_weather', arguments: JSON.stringify(CALL_ARGS) },
  }
  if (!body.stream) {
    const message =
      turn.kind === 'call'
        ? { role: 'assistant', content: null, tool_calls: [call] }
        : { role: 'assistant', content: turn.text }
    return sendJson(res, 200, {
      id: 'chatcmpl-tool',
      object: 'chat.completion',
      created: 1,
      model: 'tool-model',
      choices: [{ index: 0, message, finish_reason: turn.kind === 'call' ? 'tool_calls' : 'stop' }],
      usage,
    })
  }
  const frames =
    turn.kind === 'call'
      ? [
          oaChunk({ role: 'assistant', content: null }),
          oaChunk({
            tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: 'get_weather', arguments: '' } }],
          }),
          oaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
          oaChunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
          oaChunk({}, 'tool_calls'),
        ]
      : [
          oaChunk({ role: 'assistant', content: turn.text.slice(0, 4) }),
          oaChunk({ content: turn.text.slice(4) }),
          oaChunk({}, 'stop'),
        ]
  frames.push(
    `data: ${JSON.stringify({ id: 'chatcmpl-tool', object: 'chat.completion.chunk', created: 1, model: 'tool-model', choices: [], usage })}\n\n`,
  )
  frames.push('data: [DONE]\n\n')
  sendSse(res, frames)
}

function anthropicTurn(body: { messages: Obj[]; tools?: unknown[] }): Turn {
  const last = body.messages.at(-1)!
  const blocks = Array.isArray(last.content) ? (last.content as Obj[]) : []
  const result = blocks.find((b) => b.type === 'tool_result')
  if (result) return { kind: 'text', text: `Tool said: ${textOf(result.content)}` }
  if (body.tools?.length) return { kind: 'call' }
  return { kind: 'text', text: `Echo: ${textOf(last.content)}` }
}

const ev = (name: string, data: Obj) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`

const anthropicMessages: ScriptedHandler = (req, res) => {
  const body = req.body as { messages: Obj[]; tools?: unknown[]; stream?: boolean }
  const turn = anthropicTurn(body)
  const block =
    turn.kind === 'call'
      ? { type: 'tool_use', id: 'toolu_w1', name: 'get_weather', input: CALL_ARGS }
      : { type: 'text', text: turn.text }
  const stopReason = turn.kind === 'call' ? 'tool_use' : 'end_turn'
  if (!body.stream) {
    return sendJson(res, 200, {
      id: 'msg_tool',
      type: 'message',
      role: 'assistant',
      model: 'tool-model',
      content: [block],
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
    })
  }
  const start = turn.kind === 'call' ? { ...block, input: {} } : { type: 'text', text: '' }
  const delta =
    turn.kind === 'call'
      ? { type: 'input_json_delta', partial_json: JSON.stringify(CALL_ARGS) }
      : { type: 'text_delta', text: turn.text }
  sendSse(res, [
    ev('message_start', {
      message: {
        id: 'msg_tool',
        type: 'message',
        role: 'assistant',
        model: 'tool-model',
        content: [],
        stop_reason: null,
        usage: { input_tokens: USAGE.input, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: start }),
    ev('content_block_delta', { index: 0, delta }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: USAGE.output },
    }),
    ev('message_stop', {}),
  ])
}

const ollamaChat: ScriptedHandler = (req, res) => {
  const body = req.body as { messages: Obj[]; tools?: unknown[]; stream?: boolean }
  const turn = openaiTurn(body)
  const message =
    turn.kind === 'call'
      ? { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: CALL_ARGS } }] }
      : { role: 'assistant', content: turn.text }
  const final = {
    model: 'tool-model',
    created_at: '2025-01-01T00:00:00Z',
    done: true,
    done_reason: 'stop',
    prompt_eval_count: USAGE.input,
    eval_count: USAGE.output,
  }
  if (body.stream === false) return sendJson(res, 200, { ...final, message })
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  res.write(`${JSON.stringify({ model: 'tool-model', created_at: final.created_at, message, done: false })}\n`)
  res.end(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`)
}

function geminiTurn(body: { contents: { role: string; parts: Obj[] }[]; tools?: unknown[] }): Turn {
  const last = body.contents.at(-1)!
  const response = last.parts.find((p) => p.functionResponse)?.functionResponse as { response?: Obj } | undefined
  if (response) {
    const r = response.response ?? {}
    const text = typeof r.result === 'string' ? r.result : typeof r.content === 'string' ? r.content : JSON.stringify(r)
    return { kind: 'text', text: `Tool said: ${text}` }
  }
  if (body.tools?.length) return { kind: 'call' }
  return { kind: 'text', text: `Echo: ${last.parts.map((p) => p.text ?? '').join('')}` }
}

function geminiReply(req: RecordedRequest) {
  const turn = geminiTurn(req.body as never)
  const part = turn.kind === 'call' ? { functionCall: { name: 'get_weather', args: CALL_ARGS } } : { text: turn.text }
  return {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: USAGE.input,
      candidatesTokenCount: USAGE.output,
      totalTokenCount: USAGE.input + USAGE.output,
    },
  }
}

const geminiGenerate: ScriptedHandler = (req, res) => sendJson(res, 200, geminiReply(req))
const geminiStream: ScriptedHandler = (req, res: ServerResponse) =>
  sendSse(res, [`data: ${JSON.stringify(geminiReply(req))}\r\n\r\n`])

/** One scripted server answering in all four formats; Gemini's model is `tool-model`. */
export function startToolMock() {
  return startScriptedUpstream({
    'POST /v1/chat/completions': openaiChat,
    'POST /v1/messages': anthropicMessages,
    'POST /api/chat': ollamaChat,
    'POST /v1beta/models/tool-model:generateContent': geminiGenerate,
    'POST /v1beta/models/tool-model:streamGenerateContent': geminiStream,
  })
}

/** Providers of every type, all pointing at one tool mock. */
export function toolProvidersYaml(url: string): string {
  return `
  oa: { type: openai, baseUrl: "${url}/v1", apiKey: sk-test }
  compat: { type: openai-compatible, baseUrl: "${url}/v1" }
  claude: { type: anthropic, baseUrl: "${url}", apiKey: sk-ant-test }
  llama: { type: ollama, baseUrl: "${url}" }
  cpp: { type: llamacpp, baseUrl: "${url}/v1" }
  gem: { type: gemini, baseUrl: "${url}", apiKey: g-test }`
}
