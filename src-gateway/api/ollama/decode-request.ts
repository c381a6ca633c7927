// Ollama /api/chat and /api/generate bodies → canonical ChatRequest (protocols.md §5). `stream` defaults to
// true in Ollama, unlike every other API.

import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ResponseFormat } from '../../core/chat-types.js'
import { invalid, isObject, type Obj } from '../request-checks.js'

/** `options` keys that map one to one onto canonical fields. */
const OPTION_FIELDS = [
  ['temperature', 'temperature'],
  ['top_p', 'top_p'],
  ['top_k', 'top_k'],
  ['seed', 'seed'],
  ['presence_penalty', 'presence_penalty'],
  ['frequency_penalty', 'frequency_penalty'],
  ['num_predict', 'max_completion_tokens'],
] as const

/** Image magic numbers as they start in base64, for the data: URL other upstreams need. */
const IMAGE_TYPES: readonly [prefix: string, mime: string][] = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
]

const ROLES = new Set(['system', 'user', 'assistant', 'tool'])

export function decodeOllamaChat(body: unknown): ChatRequest {
  const b = requireModel(body)
  if (!Array.isArray(b.messages)) throw invalid("'messages' must be an array", 'messages')
  const messages = decodeMessages(b.messages)
  if (messages.length === 0) throw invalid("'messages' must not be empty", 'messages')
  const req = baseRequest(b, messages)
  const tools = decodeTools(b.tools)
  if (tools) req.tools = tools
  return req
}

/** /api/generate is a one-turn chat: `system` and `prompt` (plus images) become the messages. */
export function decodeOllamaGenerate(body: unknown): ChatRequest {
  const b = requireModel(body)
  if (typeof b.suffix === 'string' && b.suffix !== '') {
    // What Ollama itself answers for models without fill-in-the-middle.
    throw invalid(`'${b.model}' does not support insert: Switchyard has no fill-in-the-middle completion`, 'suffix')
  }
  if (typeof b.prompt !== 'string') throw invalid("'prompt' must be a string", 'prompt')
  const messages: ChatMessage[] = []
  if (typeof b.system === 'string' && b.system !== '') messages.push({ role: 'system', content: b.system })
  messages.push(userMessage(b.prompt, b.images, 'images'))
  return baseRequest(b, messages)
}

/** An empty generate prompt or chat history only asks Ollama to load the model; there is nothing to run. */
export function isLoadRequest(body: unknown, kind: 'chat' | 'generate'): boolean {
  if (!isObject(body)) return false
  if (kind === 'chat') return Array.isArray(body.messages) && body.messages.length === 0
  return (body.prompt === undefined || body.prompt === '') && !(Array.isArray(body.images) && body.images.length > 0)
}

function requireModel(body: unknown): Obj & { model: string } {
  if (!isObject(body)) throw invalid('request body must be a JSON object', '')
  if (typeof body.model !== 'string' || body.model === '')
    throw invalid("'model' is required and must be a string", 'model')
  if (body.stream !== undefined && typeof body.stream !== 'boolean')
    throw invalid("'stream' must be a boolean", 'stream')
  return body as Obj & { model: string }
}

function baseRequest(b: Obj & { model: string }, messages: ChatMessage[]): ChatRequest {
  const req: ChatRequest = { model: b.model, messages }
  if (b.stream !== false) {
    req.stream = true
    // The final line reports token counts; OpenAI-shaped upstreams stream usage only when asked.
    req.stream_options = { include_usage: true }
  }
  Object.assign(req, decodeOptions(b.options))
  const format = decodeFormat(b.format)
  if (format) req.response_format = format
  // `think: false` is left to the upstream's default: mapped to an effort it would switch reasoning off on
  // OpenAI models that reject the setting altogether.
  if (b.think === true) req.reasoning_effort = 'medium'
  else if (typeof b.think === 'string') req.reasoning_effort = b.think
  return req
}

function decodeOptions(options: unknown): Partial<ChatRequest> {
  if (options === undefined || options === null) return {}
  if (!isObject(options)) throw invalid("'options' must be an object", 'options')
  const out: Partial<ChatRequest> = {}
  for (const [from, to] of OPTION_FIELDS) {
    const v = options[from]
    if (v === undefined || v === null) continue
    if (typeof v !== 'number') throw invalid(`options.${from} must be a number`, `options.${from}`)
    out[to] = v
  }
  // Ollama's num_predict of -1 (unlimited) or -2 (fill the context) means "no limit" here.
  if (typeof out.max_completion_tokens === 'number' && out.max_completion_tokens < 0) delete out.max_completion_tokens
  const stop = options.stop
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== 'string')) {
      throw invalid('options.stop must be an array of strings', 'options.stop')
    }
    if (stop.length > 0) out.stop = stop as string[]
  }
  return out
}

function decodeFormat(format: unknown): ResponseFormat | undefined {
  if (format === 'json') return { type: 'json_object' }
  if (isObject(format)) return { type: 'json_schema', json_schema: { name: 'response', schema: format } }
  if (format === undefined || format === null || format === '') return undefined
  throw invalid('\'format\' must be "json" or a JSON Schema object', 'format')
}

/**
 * Ollama tool calls have no ids (newer builds add one) and results name the tool instead, so ids are made
 * up per request and each result is paired with the oldest unanswered call of that tool.
 */
function decodeMessages(raw: unknown[]): ChatMessage[] {
  const out: ChatMessage[] = []
  const pending: { id: string; name: string }[] = []
  for (let i = 0; i < raw.length; i++) {
    const m = raw[i]
    const p = `messages[${i}]`
    if (!isObject(m) || typeof m.role !== 'string' || !ROLES.has(m.role)) {
      throw invalid(`${p}.role must be one of system, user, assistant, tool`, `${p}.role`)
    }
    if (m.content !== undefined && m.content !== null && typeof m.content !== 'string') {
      throw invalid(`${p}.content must be a string`, `${p}.content`)
    }
    const content = typeof m.content === 'string' ? m.content : ''
    if (m.role === 'user') out.push(userMessage(content, m.images, `${p}.images`))
    else if (m.role === 'system') out.push({ role: 'system', content })
    else if (m.role === 'assistant') out.push(assistantMessage(m, content, i, pending))
    else {
      const name = typeof m.tool_name === 'string' ? m.tool_name : undefined
      const k = pending.findIndex((c) => name === undefined || c.name === name)
      const call = k === -1 ? undefined : pending.splice(k, 1)[0]
      const msg: ChatMessage = { role: 'tool', tool_call_id: call?.id ?? `call_${i}`, content }
      // Unpaired, the result keeps its tool's name for upstreams that pair by name (Gemini, Ollama).
      if (!call && name) msg.name = name
      out.push(msg)
    }
  }
  return out
}

function assistantMessage(m: Obj, content: string, i: number, pending: { id: string; name: string }[]): ChatMessage {
  const msg: ChatMessage = { role: 'assistant', content }
  if (typeof m.thinking === 'string' && m.thinking !== '') msg.reasoning_content = m.thinking
  if (!Array.isArray(m.tool_calls) || m.tool_calls.length === 0) return msg
  msg.tool_calls = m.tool_calls.map((tc, k) => {
    const fn = isObject(tc) && isObject(tc.function) ? tc.function : undefined
    if (!fn || typeof fn.name !== 'string') {
      throw invalid(`messages[${i}].tool_calls[${k}].function.name must be a string`, `messages[${i}].tool_calls[${k}]`)
    }
    const id = isObject(tc) && typeof tc.id === 'string' ? tc.id : `call_${i}_${k}`
    pending.push({ id, name: fn.name })
    const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {})
    return { id, type: 'function' as const, function: { name: fn.name, arguments: args } }
  })
  if (content === '') msg.content = null
  return msg
}

function userMessage(text: string, images: unknown, p: string): ChatMessage {
  if (images === undefined || images === null) return { role: 'user', content: text }
  if (!Array.isArray(images) || images.some((x) => typeof x !== 'string')) {
    throw invalid(`${p} must be an array of base64 strings`, p)
  }
  if (images.length === 0) return { role: 'user', content: text }
  const parts: ContentPart[] = text === '' ? [] : [{ type: 'text', text }]
  for (const data of images as string[]) {
    const mime = IMAGE_TYPES.find(([prefix]) => data.startsWith(prefix))?.[1] ?? 'image/png'
    parts.push({ type: 'image_url', image_url: { url: `data:${mime};base64,${data}` } })
  }
  return { role: 'user', content: parts }
}

/** Ollama tools are OpenAI's function tools already. */
function decodeTools(v: unknown): FunctionTool[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw invalid("'tools' must be an array", 'tools')
  const tools: FunctionTool[] = []
  for (let j = 0; j < v.length; j++) {
    const t = v[j]
    const fn = isObject(t) && isObject(t.function) ? t.function : undefined
    if (!fn || typeof fn.name !== 'string') throw invalid(`tools[${j}].function.name must be a string`, `tools[${j}]`)
    const out: FunctionTool['function'] = {
      name: fn.name,
      parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    }
    if (typeof fn.description === 'string') out.description = fn.description
    tools.push({ type: 'function', function: out })
  }
  return tools.length > 0 ? tools : undefined
}
