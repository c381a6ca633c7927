/**
 * What a span can say about a call beyond the LogEvent's own fields, read from its logged bodies: the
 * request's sampling parameters, the answer's id, finish reasons and tool calls, and (with
 * `captureContent`) the messages in the GenAI conventions' parts form. Read off the request path, and
 * only what the bodies hold: a streamed answer is logged as its text, so it has no id or finish reason.
 */

type Json = Record<string, unknown>

export interface ToolCall {
  name: string
  id?: string
}

export interface CallDetails {
  maxTokens?: number
  temperature?: number
  topP?: number
  responseId?: string
  finishReasons?: string[]
  toolCalls: ToolCall[]
}

/** One message in the conventions' form: `{ role, parts: [{ type: 'text', content }, …], finish_reason? }`. */
export interface Message {
  role: string
  parts: Json[]
  finish_reason?: string
}

export interface CallContent {
  input?: Message[]
  system?: Json[]
  output?: Message[]
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/**
 * A logged body as an object: the client's raw JSON text parsed, or a parsed object (or a stream's
 * `{ stream: true, content }`) as it is, so parsing twice costs nothing.
 */
export function parsedBody(body: unknown): Json | undefined {
  if (isObject(body)) return body
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return undefined
  try {
    const parsed: unknown = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
    return isObject(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

/** Sampling parameters as OpenAI, Anthropic, the Responses API and Ollama (`options`) spell them. */
function requestParams(req: Json): Pick<CallDetails, 'maxTokens' | 'temperature' | 'topP'> {
  const options = isObject(req.options) ? req.options : {}
  return {
    maxTokens:
      num(req.max_tokens) ?? num(req.max_completion_tokens) ?? num(req.max_output_tokens) ?? num(options.num_predict),
    temperature: num(req.temperature) ?? num(options.temperature),
    topP: num(req.top_p) ?? num(options.top_p),
  }
}

/** The answer's id, finish reasons and tool calls, in whichever of the four answer shapes it has. */
function answerFacts(res: Json): Pick<CallDetails, 'responseId' | 'finishReasons' | 'toolCalls'> {
  const toolCalls: ToolCall[] = []
  const reasons: string[] = []
  const openAiCalls = (m: unknown) => {
    if (!isObject(m)) return
    for (const c of list(m.tool_calls)) {
      const fn = isObject(c) && isObject(c.function) ? c.function : undefined
      const name = str(fn?.name)
      if (name) toolCalls.push({ name, id: isObject(c) ? str(c.id) : undefined })
    }
  }
  for (const choice of list(res.choices)) {
    if (!isObject(choice)) continue
    const reason = str(choice.finish_reason)
    if (reason) reasons.push(reason)
    openAiCalls(choice.message)
  }
  // Anthropic: content blocks; the Responses API: output items.
  for (const block of [...list(res.content), ...list(res.output)]) {
    if (!isObject(block)) continue
    if (block.type === 'tool_use' && str(block.name)) toolCalls.push({ name: block.name as string, id: str(block.id) })
    if (block.type === 'function_call' && str(block.name))
      toolCalls.push({ name: block.name as string, id: str(block.call_id) ?? str(block.id) })
  }
  const reason = str(res.stop_reason) ?? str(res.done_reason)
  if (reason) reasons.push(reason)
  // Ollama's chat answer carries one message.
  if (!Array.isArray(res.choices)) openAiCalls(res.message)
  return {
    responseId: str(res.id),
    finishReasons: reasons.length > 0 ? reasons : undefined,
    toolCalls,
  }
}

/** An embeddings answer is mostly vectors, with nothing a span reports: it is not read. */
export function callDetails(requestBody: unknown, responseBody: unknown, isEmbeddings: boolean): CallDetails {
  const req = parsedBody(requestBody)
  const params = req && !isEmbeddings ? requestParams(req) : {}
  const res = isEmbeddings ? undefined : parsedBody(responseBody)
  const facts = res && res.stream !== true ? answerFacts(res) : { toolCalls: [] }
  return { ...params, ...facts }
}

/** A message's content as parts: text as text; tool calls, tool results and media by their kind. */
function partsOf(content: unknown): Json[] {
  if (typeof content === 'string') return [{ type: 'text', content }]
  const parts: Json[] = []
  for (const item of list(content)) {
    if (!isObject(item)) continue
    if (typeof item.text === 'string') parts.push({ type: 'text', content: item.text })
    else if (item.type === 'tool_use')
      parts.push({ type: 'tool_call', id: item.id, name: item.name, arguments: item.input })
    else if (item.type === 'tool_result')
      parts.push({ type: 'tool_call_response', id: item.tool_use_id, response: item.content })
    else if (typeof item.type === 'string') parts.push({ type: item.type })
  }
  return parts
}

function messageOf(m: Json, role = str(m.role) ?? 'user'): Message {
  const parts = partsOf(m.content)
  for (const c of list(m.tool_calls)) {
    if (!isObject(c)) continue
    const fn = isObject(c.function) ? c.function : {}
    parts.push({ type: 'tool_call', id: c.id, name: fn.name, arguments: fn.arguments })
  }
  if (role === 'tool') return { role, parts: [{ type: 'tool_call_response', id: m.tool_call_id, response: m.content }] }
  return { role, parts }
}

/** The prompt and the answer as `gen_ai.input.messages`, `gen_ai.system_instructions` and `gen_ai.output.messages`. */
export function callContent(requestBody: unknown, responseBody: unknown): CallContent {
  const req = parsedBody(requestBody)
  const res = parsedBody(responseBody)
  const out: CallContent = {}
  if (req) {
    const messages = Array.isArray(req.messages) ? req.messages : Array.isArray(req.input) ? req.input : undefined
    if (messages) out.input = messages.filter(isObject).map((m) => messageOf(m))
    else if (typeof req.input === 'string')
      out.input = [{ role: 'user', parts: [{ type: 'text', content: req.input }] }]
    const system = req.system ?? req.instructions
    if (system !== undefined) out.system = partsOf(system)
  }
  if (res) out.output = outputMessages(res)
  return out
}

function outputMessages(res: Json): Message[] | undefined {
  if (res.stream === true)
    return typeof res.content === 'string'
      ? [{ role: 'assistant', parts: [{ type: 'text', content: res.content }] }]
      : undefined
  if (Array.isArray(res.choices))
    return res.choices.filter(isObject).map((c) => ({
      ...messageOf(isObject(c.message) ? c.message : {}, 'assistant'),
      finish_reason: str(c.finish_reason),
    }))
  if (Array.isArray(res.content))
    return [{ role: 'assistant', parts: partsOf(res.content), finish_reason: str(res.stop_reason) }]
  if (Array.isArray(res.output)) {
    const parts: Json[] = []
    for (const item of res.output.filter(isObject)) {
      if (item.type === 'message') parts.push(...partsOf(item.content))
      else if (item.type === 'function_call')
        parts.push({ type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments })
    }
    return [{ role: 'assistant', parts }]
  }
  if (isObject(res.message)) return [{ ...messageOf(res.message, 'assistant'), finish_reason: str(res.done_reason) }]
  return undefined
}
