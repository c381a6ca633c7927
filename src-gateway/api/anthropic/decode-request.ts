// Anthropic Messages request body → canonical ChatRequest. Validates what translation relies on and reports
// the failing field as `param` (e.g. `messages.2.content`); unknown top-level fields are ignored.

import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  TextPart,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
} from '../../core/chat-types.js'
import { isAnthropicSignature } from '../../core/thinking-signature.js'
import { invalid, isObject, type Obj } from '../request-checks.js'

function optionalNumber(b: Obj, key: string): number | undefined {
  const v = b[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${key} must be a number`, key)
  return v
}

export function decodeAnthropicRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalid('request body must be a JSON object', 'body')
  if (typeof body.model !== 'string' || body.model === '')
    throw invalid('model is required and must be a string', 'model')
  const maxTokens = body.max_tokens
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalid('max_tokens is required and must be a positive integer', 'max_tokens')
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid('messages is required and must be a non-empty array', 'messages')
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalid('stream must be a boolean', 'stream')

  const messages = decodeSystem(body.system)
  for (let i = 0; i < body.messages.length; i++) decodeMessage(body.messages[i], i, messages)

  const req: ChatRequest = { model: body.model, messages, max_tokens: maxTokens }
  if (body.stream === true) {
    req.stream = true
    // message_delta must report usage, and OpenAI-shaped upstreams only stream it when asked (pitfall P15).
    req.stream_options = { include_usage: true }
  }
  const temperature = optionalNumber(body, 'temperature')
  if (temperature !== undefined) req.temperature = temperature
  const topP = optionalNumber(body, 'top_p')
  if (topP !== undefined) req.top_p = topP
  const topK = optionalNumber(body, 'top_k')
  if (topK !== undefined) req.top_k = topK
  const stop = decodeStopSequences(body.stop_sequences)
  if (stop) req.stop = stop
  const tools = decodeTools(body.tools)
  if (tools) {
    req.tools = tools
    if (body.tool_choice !== undefined) Object.assign(req, decodeToolChoice(body.tool_choice))
  }
  if (body.thinking !== undefined) req.thinking = decodeThinking(body.thinking)
  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string') req.user = body.metadata.user_id
  return req
}

function decodeSystem(system: unknown): ChatMessage[] {
  if (system === undefined || system === null) return []
  return decodeSystemAt(system, 'system')
}

function decodeSystemAt(system: unknown, p: string): ChatMessage[] {
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }]
  if (!Array.isArray(system)) throw invalid(`${p} must be a string or an array of text blocks`, p)
  const parts: TextPart[] = []
  for (let j = 0; j < system.length; j++) {
    const b = system[j]
    if (!isObject(b) || b.type !== 'text' || typeof b.text !== 'string') {
      throw invalid(`${p} blocks must be {"type":"text","text":…}`, `${p}.${j}`)
    }
    parts.push(textPart(b, b.text))
  }
  return parts.length === 0 ? [] : [{ role: 'system', content: compact(parts) }]
}

function decodeMessage(m: unknown, i: number, out: ChatMessage[]): void {
  const p = `messages.${i}`
  if (!isObject(m)) throw invalid(`${p} must be an object`, p)
  // Claude Code puts a system message inside `messages` (after the user turn), which Anthropic accepts.
  // It stays a system message at its position; each upstream places it as its format allows.
  if (m.role === 'system') {
    out.push(...decodeSystemAt(m.content, `${p}.content`))
    return
  }
  if (m.role !== 'user' && m.role !== 'assistant') {
    throw invalid(`${p}.role must be "user", "assistant" or "system"`, `${p}.role`)
  }
  const content = m.content
  if (typeof content === 'string') {
    out.push({ role: m.role, content })
    return
  }
  if (!Array.isArray(content)) {
    throw invalid(`${p}.content must be a string or an array of content blocks`, `${p}.content`)
  }
  for (let j = 0; j < content.length; j++) {
    const b = content[j]
    if (!isObject(b) || typeof b.type !== 'string') {
      throw invalid(`${p}.content.${j} must be a content block with a type`, `${p}.content.${j}`)
    }
  }
  if (m.role === 'user') decodeUserBlocks(content as Obj[], `${p}.content`, out)
  else out.push(decodeAssistantBlocks(content as Obj[], `${p}.content`))
}

/**
 * Each tool_result becomes its own tool message, in order, so they directly follow the assistant's calls
 * as OpenAI requires; the turn's other blocks (normally text after the results) follow as a user message.
 */
function decodeUserBlocks(blocks: Obj[], p: string, out: ChatMessage[]): void {
  const parts: ContentPart[] = []
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j]
    if (b.type === 'tool_result') out.push(decodeToolResult(b, `${p}.${j}`))
    else {
      const part = decodeMediaBlock(b, `${p}.${j}`)
      if (part) parts.push(part)
    }
  }
  if (parts.length > 0) out.push({ role: 'user', content: compact(parts) })
}

function decodeAssistantBlocks(blocks: Obj[], p: string): ChatMessage {
  const parts: TextPart[] = []
  const toolCalls: ToolCall[] = []
  const thinking: ThinkingBlock[] = []
  let reasoning = ''
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j]
    const bp = `${p}.${j}`
    switch (b.type) {
      case 'text':
        if (typeof b.text !== 'string') throw invalid(`${bp}.text must be a string`, `${bp}.text`)
        if (b.text !== '') parts.push(textPart(b, b.text))
        break
      case 'tool_use':
        if (typeof b.id !== 'string' || typeof b.name !== 'string') {
          throw invalid(`${bp} needs a string id and name`, bp)
        }
        toolCalls.push({
          id: b.id,
          type: 'function',
          function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
        })
        break
      case 'thinking':
        if (typeof b.thinking !== 'string') throw invalid(`${bp}.thinking must be a string`, `${bp}.thinking`)
        // Only reasoning the gateway relayed from a non-Anthropic model may go back to such a model as
        // `reasoning_content`; Claude's thinking goes back to Anthropic only (docs/thinking.md).
        if (!isAnthropicSignature(b.signature)) reasoning += b.thinking
        thinking.push({
          type: 'thinking',
          thinking: b.thinking,
          signature: typeof b.signature === 'string' ? b.signature : '',
        })
        break
      case 'redacted_thinking':
        if (typeof b.data !== 'string') throw invalid(`${bp}.data must be a string`, `${bp}.data`)
        thinking.push({ type: 'redacted_thinking', data: b.data })
        break
      // server-tool blocks (server_tool_use, web_search_tool_result…) have no canonical form
    }
  }
  const msg: ChatMessage = {
    role: 'assistant',
    content: parts.length > 0 ? compact(parts) : toolCalls.length > 0 ? null : '',
  }
  if (toolCalls.length > 0) msg.tool_calls = toolCalls
  if (thinking.length > 0) msg.thinking_blocks = thinking
  if (reasoning !== '') msg.reasoning_content = reasoning
  return msg
}

function decodeToolResult(b: Obj, p: string): ChatMessage {
  if (typeof b.tool_use_id !== 'string' || b.tool_use_id === '') {
    throw invalid(`${p}.tool_use_id must be a non-empty string`, `${p}.tool_use_id`)
  }
  let content: string | ContentPart[]
  if (b.content === undefined || b.content === null) content = ''
  else if (typeof b.content === 'string') content = b.content
  else if (Array.isArray(b.content)) {
    const parts: ContentPart[] = []
    for (let k = 0; k < b.content.length; k++) {
      const inner = b.content[k]
      if (!isObject(inner)) throw invalid(`${p}.content.${k} must be a content block`, `${p}.content.${k}`)
      const part = decodeMediaBlock(inner, `${p}.content.${k}`)
      if (part) parts.push(part)
    }
    content = compact(parts)
  } else throw invalid(`${p}.content must be a string or an array of blocks`, `${p}.content`)
  // The canonical tool message has no cache_control of its own; the marker rides on its last part.
  if (isObject(b.cache_control)) {
    const parts: ContentPart[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content
    const last = parts[parts.length - 1]
    if (last) last.cache_control = b.cache_control
    content = parts
  }
  const msg: ChatMessage = { role: 'tool', tool_call_id: b.tool_use_id, content }
  if (b.is_error === true) msg.is_error = true
  return msg
}

/** Text, image and document blocks; other block types (search results, server-tool output) are dropped. */
function decodeMediaBlock(b: Obj, p: string): ContentPart | undefined {
  switch (b.type) {
    case 'text':
      if (typeof b.text !== 'string') throw invalid(`${p}.text must be a string`, `${p}.text`)
      return textPart(b, b.text)
    case 'image': {
      const part: ContentPart = { type: 'image_url', image_url: { url: imageUrl(b.source, `${p}.source`) } }
      if (isObject(b.cache_control)) part.cache_control = b.cache_control
      return part
    }
    case 'document':
      return decodeDocument(b, p)
    default:
      return undefined
  }
}

function imageUrl(source: unknown, p: string): string {
  if (isObject(source)) {
    if (source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
      return `data:${source.media_type};base64,${source.data}`
    }
    if (source.type === 'url' && typeof source.url === 'string') return source.url
  }
  throw invalid(`${p} must be a base64 or url image source`, p)
}

/** A base64 PDF becomes an OpenAI `file` part; a plain-text document becomes its text. */
function decodeDocument(b: Obj, p: string): ContentPart | undefined {
  const s = b.source
  if (!isObject(s) || typeof s.data !== 'string') return undefined
  if (s.type === 'text') return textPart(b, s.data)
  if (s.type !== 'base64' || typeof s.media_type !== 'string') {
    throw invalid(`${p}.source must be a base64 or text document source`, `${p}.source`)
  }
  const file: Obj = { file_data: `data:${s.media_type};base64,${s.data}` }
  if (typeof b.title === 'string') file.filename = b.title
  const part: ContentPart = { type: 'file', file }
  if (isObject(b.cache_control)) part.cache_control = b.cache_control
  return part
}

function textPart(b: Obj, text: string): TextPart {
  const part: TextPart = { type: 'text', text }
  if (isObject(b.cache_control)) part.cache_control = b.cache_control as unknown as TextPart['cache_control']
  return part
}

/** A lone plain text part is sent as a string: lossless, and what every OpenAI-shaped server accepts. */
function compact(parts: ContentPart[]): string | ContentPart[] {
  const only = parts.length === 1 ? parts[0] : undefined
  return only?.type === 'text' && only.cache_control === undefined ? (only as TextPart).text : parts
}

function decodeStopSequences(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw invalid('stop_sequences must be an array of strings', 'stop_sequences')
  }
  return v.length > 0 ? (v as string[]) : undefined
}

/** Client tools only: server tools (`type` other than `custom`) run inside Anthropic and have no canonical form. */
function decodeTools(v: unknown): FunctionTool[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw invalid('tools must be an array', 'tools')
  const tools: FunctionTool[] = []
  for (let j = 0; j < v.length; j++) {
    const t = v[j]
    if (!isObject(t)) throw invalid(`tools.${j} must be an object`, `tools.${j}`)
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') continue
    if (typeof t.name !== 'string' || t.name === '')
      throw invalid(`tools.${j}.name must be a string`, `tools.${j}.name`)
    const fn: FunctionTool['function'] = {
      name: t.name,
      parameters: isObject(t.input_schema) ? t.input_schema : { type: 'object', properties: {} },
    }
    if (typeof t.description === 'string') fn.description = t.description
    const tool: FunctionTool = { type: 'function', function: fn }
    if (isObject(t.cache_control)) tool.cache_control = t.cache_control as unknown as FunctionTool['cache_control']
    tools.push(tool)
  }
  return tools.length > 0 ? tools : undefined
}

const TOOL_CHOICE: Record<string, ToolChoice> = { auto: 'auto', any: 'required', none: 'none' }

function decodeToolChoice(v: unknown): Pick<ChatRequest, 'tool_choice' | 'parallel_tool_calls'> {
  if (!isObject(v) || typeof v.type !== 'string')
    throw invalid('tool_choice must be an object with a type', 'tool_choice')
  let choice = TOOL_CHOICE[v.type]
  if (v.type === 'tool') {
    if (typeof v.name !== 'string') throw invalid('tool_choice.name is required for type "tool"', 'tool_choice.name')
    choice = { type: 'function', function: { name: v.name } }
  }
  if (!choice) throw invalid('tool_choice.type must be auto, any, tool or none', 'tool_choice.type')
  return v.disable_parallel_tool_use === true
    ? { tool_choice: choice, parallel_tool_calls: false }
    : { tool_choice: choice }
}

function decodeThinking(v: unknown): NonNullable<ChatRequest['thinking']> {
  if (!isObject(v) || typeof v.type !== 'string') throw invalid('thinking must be an object with a type', 'thinking')
  if (v.budget_tokens !== undefined && typeof v.budget_tokens !== 'number') {
    throw invalid('thinking.budget_tokens must be a number', 'thinking.budget_tokens')
  }
  return v.budget_tokens === undefined ? { type: v.type } : { type: v.type, budget_tokens: v.budget_tokens }
}
