// OpenAI Responses request body → canonical ChatRequest (protocols.md §2). Nothing is stored, so the
// conversation must come whole in `input`; fields that only steer OpenAI's storage and caching are ignored.

import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  ResponseFormat,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
} from '../../core/chat-types.js'
import { invalid, isObject, type Obj } from '../request-checks.js'
import { carriedThinking } from './thinking-carrier.js'

/** Input roles → canonical roles; developer instructions are system prompts to every other vendor. */
const ROLES: Record<string, ChatMessage['role']> = {
  user: 'user',
  assistant: 'assistant',
  system: 'system',
  developer: 'system',
}

/** Sampling fields copied as they are when they hold a number. */
const NUMBER_FIELDS = ['temperature', 'top_p'] as const

export function decodeResponsesRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalid('request body must be a JSON object', '')
  if (typeof body.model !== 'string' || body.model === '')
    throw invalid("'model' is required and must be a string", 'model')
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw invalid(
      'previous_response_id is not supported: Switchyard stores no responses. Send the whole conversation in input (store: false).',
      'previous_response_id',
    )
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean')
    throw invalid("'stream' must be a boolean", 'stream')

  const messages: ChatMessage[] = []
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    messages.push({ role: 'system', content: body.instructions })
  }
  decodeInput(body.input, messages)
  if (messages.length === 0) throw invalid("'input' is required: a string or an array of input items", 'input')

  const req: ChatRequest = { model: body.model, messages }
  if (body.stream === true) {
    req.stream = true
    // response.completed must carry usage, and OpenAI-shaped upstreams stream it only when asked (pitfall P15).
    req.stream_options = { include_usage: true }
  }
  for (const k of NUMBER_FIELDS) {
    const v = body[k]
    if (v === undefined || v === null) continue
    if (typeof v !== 'number') throw invalid(`'${k}' must be a number`, k)
    req[k] = v
  }
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null) {
    if (typeof body.max_output_tokens !== 'number')
      throw invalid("'max_output_tokens' must be a number", 'max_output_tokens')
    req.max_completion_tokens = body.max_output_tokens
  }
  const tools = decodeTools(body.tools)
  if (tools) {
    req.tools = tools
    const choice = decodeToolChoice(body.tool_choice, tools)
    if (choice) req.tool_choice = choice
    if (typeof body.parallel_tool_calls === 'boolean') req.parallel_tool_calls = body.parallel_tool_calls
  }
  const format = decodeTextFormat(body.text)
  if (format) req.response_format = format
  if (isObject(body.reasoning) && typeof body.reasoning.effort === 'string')
    req.reasoning_effort = body.reasoning.effort
  if (typeof body.user === 'string') req.user = body.user
  return req
}

function decodeInput(input: unknown, out: ChatMessage[]): void {
  if (input === undefined || input === null) return
  if (typeof input === 'string') {
    out.push({ role: 'user', content: input })
    return
  }
  if (!Array.isArray(input)) throw invalid("'input' must be a string or an array of items", 'input')
  /** Reasoning items waiting for the assistant turn they precede. */
  let reasoning = ''
  let thinking: ThinkingBlock[] = []
  for (let i = 0; i < input.length; i++) {
    const item = input[i]
    const p = `input[${i}]`
    if (!isObject(item)) throw invalid(`${p} must be an object`, p)
    const type = item.type ?? 'message'
    if (type === 'message') out.push(decodeMessage(item, p))
    else if (type === 'function_call') addToolCall(item, p, out)
    else if (type === 'function_call_output') out.push(decodeToolOutput(item, p))
    else if (type === 'reasoning') {
      const carried = carriedThinking(item.encrypted_content)
      if (carried) thinking = thinking.concat(carried)
      else reasoning += reasoningText(item)
    } else if (type === 'item_reference') {
      throw invalid(`${p}: item_reference needs stored items, and Switchyard stores none; send the item itself`, p)
    }
    // Built-in tool calls have no canonical form.
    if ((reasoning !== '' || thinking.length > 0) && type !== 'reasoning') {
      const last = out[out.length - 1]
      if (last?.role === 'assistant') {
        if (reasoning !== '') last.reasoning_content = (last.reasoning_content ?? '') + reasoning
        if (thinking.length > 0) last.thinking_blocks = (last.thinking_blocks ?? []).concat(thinking)
      }
      reasoning = ''
      thinking = []
    }
  }
}

/**
 * A reasoning item's readable text (its summary, or the full text some servers return) becomes the
 * `reasoning_content` of the assistant turn it precedes: DeepSeek-style models want their reasoning back
 * within a tool loop (providers/openai-base/chat.ts sends it only there). Anthropic's thinking comes back
 * whole in `encrypted_content` instead (thinking-carrier.ts) and goes to Anthropic only; OpenAI's own
 * `encrypted_content` has no canonical form.
 */
function reasoningText(item: Obj): string {
  let text = ''
  for (const list of [item.summary, item.content]) {
    if (!Array.isArray(list)) continue
    for (const part of list) if (isObject(part) && typeof part.text === 'string') text += part.text
    if (text !== '') break
  }
  return text
}

function decodeMessage(item: Obj, p: string): ChatMessage {
  const role = typeof item.role === 'string' ? ROLES[item.role] : undefined
  if (!role) throw invalid(`${p}.role must be one of user, assistant, system, developer`, `${p}.role`)
  const content = item.content
  if (typeof content === 'string') return { role, content }
  if (!Array.isArray(content)) throw invalid(`${p}.content must be a string or an array of parts`, `${p}.content`)
  const parts = content.map((part, j) => decodePart(part, `${p}.content[${j}]`)).filter((x) => x !== undefined)
  // Only user turns may carry images; for the rest the text is what every upstream accepts.
  if (role !== 'user' || parts.every((x) => x.type === 'text')) {
    return { role, content: parts.map((x) => (x.type === 'text' ? (x as { text: string }).text : '')).join('') }
  }
  return { role, content: parts }
}

function decodePart(part: unknown, p: string): ContentPart | undefined {
  if (!isObject(part)) throw invalid(`${p} must be an object`, p)
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      if (typeof part.text !== 'string') throw invalid(`${p}.text must be a string`, `${p}.text`)
      return { type: 'text', text: part.text }
    case 'refusal':
      return typeof part.refusal === 'string' ? { type: 'text', text: part.refusal } : undefined
    case 'input_image': {
      if (typeof part.image_url !== 'string') {
        throw invalid(`${p}: images must be sent as image_url (an http or data: URL); file ids need OpenAI storage`, p)
      }
      const detail = part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? part.detail : undefined
      return { type: 'image_url', image_url: detail ? { url: part.image_url, detail } : { url: part.image_url } }
    }
    case 'input_file': {
      if (typeof part.file_data !== 'string') {
        throw invalid(`${p}: files must be sent inline as file_data; file ids and URLs need OpenAI storage`, p)
      }
      const file: Obj = { file_data: part.file_data }
      if (typeof part.filename === 'string') file.filename = part.filename
      return { type: 'file', file }
    }
    default:
      return undefined
  }
}

/** Consecutive calls belong to one assistant turn, together with the text just before them. */
function addToolCall(item: Obj, p: string, out: ChatMessage[]): void {
  if (typeof item.call_id !== 'string' || typeof item.name !== 'string') {
    throw invalid(`${p} needs a string call_id and name`, p)
  }
  const call: ToolCall = {
    id: item.call_id,
    type: 'function',
    // A call to a namespaced tool carries its namespace: the model knows it by the flat name.
    function: {
      name: typeof item.namespace === 'string' ? flatToolName(item.namespace, item.name) : item.name,
      arguments: typeof item.arguments === 'string' ? item.arguments : '{}',
    },
  }
  const last = out[out.length - 1]
  if (last?.role === 'assistant') last.tool_calls = [...(last.tool_calls ?? []), call]
  else out.push({ role: 'assistant', content: null, tool_calls: [call] })
}

function decodeToolOutput(item: Obj, p: string): ChatMessage {
  if (typeof item.call_id !== 'string') throw invalid(`${p}.call_id must be a string`, `${p}.call_id`)
  const output = item.output
  if (typeof output === 'string') return { role: 'tool', tool_call_id: item.call_id, content: output }
  if (!Array.isArray(output)) throw invalid(`${p}.output must be a string or an array of parts`, `${p}.output`)
  const parts = output.map((part, j) => decodePart(part, `${p}.output[${j}]`)).filter((x) => x !== undefined)
  return { role: 'tool', tool_call_id: item.call_id, content: parts }
}

/** A function tool inside a namespace, as the model sees it: one flat name (see namespacedToolNames). */
export const flatToolName = (namespace: string, name: string) => `${namespace}__${name}`

/**
 * A `namespace` tool (Codex gives each MCP server's tools to its model as one) as flat function tools, so a
 * model behind any API is offered them; the encoders give the model's call its namespace back.
 */
function namespaceTools(ns: Obj): FunctionTool[] {
  if (typeof ns.name !== 'string' || !Array.isArray(ns.tools)) return []
  const out: FunctionTool[] = []
  for (const t of ns.tools) {
    if (!isObject(t) || t.type !== 'function' || typeof t.name !== 'string' || t.name === '') continue
    const fn: FunctionTool['function'] = {
      name: flatToolName(ns.name, t.name),
      parameters: isObject(t.parameters) ? t.parameters : { type: 'object', properties: {} },
    }
    if (typeof t.description === 'string') fn.description = t.description
    out.push({ type: 'function', function: fn })
  }
  return out
}

/** The request's namespaced tools by their flat name: what a model's call is turned back into. */
export function namespacedToolNames(body: unknown): Map<string, { namespace: string; name: string }> {
  const out = new Map<string, { namespace: string; name: string }>()
  const tools = isObject(body) && Array.isArray(body.tools) ? body.tools : []
  for (const ns of tools) {
    if (!isObject(ns) || ns.type !== 'namespace' || typeof ns.name !== 'string' || !Array.isArray(ns.tools)) continue
    for (const t of ns.tools) {
      if (isObject(t) && t.type === 'function' && typeof t.name === 'string' && t.name !== '')
        out.set(flatToolName(ns.name, t.name), { namespace: ns.name, name: t.name })
    }
  }
  return out
}

/**
 * Flat function tools become canonical ones, and so do those in a namespace. Built-in tools (web_search,
 * file_search, custom…) run inside OpenAI only: they are dropped so the model answers without them rather
 * than the call failing.
 */
function decodeTools(v: unknown): FunctionTool[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw invalid("'tools' must be an array", 'tools')
  const tools: FunctionTool[] = []
  for (let j = 0; j < v.length; j++) {
    const t = v[j]
    if (!isObject(t)) throw invalid(`tools[${j}] must be an object`, `tools[${j}]`)
    if (t.type === 'namespace') {
      tools.push(...namespaceTools(t))
      continue
    }
    if (t.type !== 'function') continue
    if (typeof t.name !== 'string' || t.name === '')
      throw invalid(`tools[${j}].name must be a string`, `tools[${j}].name`)
    const fn: FunctionTool['function'] = {
      name: t.name,
      parameters: isObject(t.parameters) ? t.parameters : { type: 'object', properties: {} },
    }
    if (typeof t.description === 'string') fn.description = t.description
    if (typeof t.strict === 'boolean') fn.strict = t.strict
    tools.push({ type: 'function', function: fn })
  }
  return tools.length > 0 ? tools : undefined
}

/** A choice naming a dropped built-in tool falls back to the upstream's default. */
function decodeToolChoice(v: unknown, tools: FunctionTool[]): ToolChoice | undefined {
  if (v === 'auto' || v === 'none' || v === 'required') return v
  if (isObject(v) && v.type === 'function' && typeof v.name === 'string') {
    if (!tools.some((t) => t.function.name === v.name)) {
      throw invalid(`tool_choice names '${v.name}', which is not among the function tools`, 'tool_choice.name')
    }
    return { type: 'function', function: { name: v.name } }
  }
  return undefined
}

function decodeTextFormat(text: unknown): ResponseFormat | undefined {
  const format = isObject(text) ? text.format : undefined
  if (!isObject(format)) return undefined
  if (format.type === 'json_object') return { type: 'json_object' }
  if (format.type !== 'json_schema') return undefined
  if (typeof format.name !== 'string') throw invalid('text.format.name is required for json_schema', 'text.format.name')
  const schema: NonNullable<ResponseFormat['json_schema']> = { name: format.name }
  if (isObject(format.schema)) schema.schema = format.schema
  if (typeof format.strict === 'boolean') schema.strict = format.strict
  if (typeof format.description === 'string') schema.description = format.description
  return { type: 'json_schema', json_schema: schema }
}
