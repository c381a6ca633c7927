import { ApiError, gatewayFetch } from './client'

export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string | ChatContentPart[]
}

/** A function call the model asked for; `arguments` is the JSON text it wrote (not necessarily valid JSON). */
export interface ChatToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** The two messages a tool call adds to a chat: the model's call, then the tool's answer to it. */
export type ToolChatMessage =
  | { role: 'assistant'; content: string | null; tool_calls: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string }

/** A function tool offered to the model (OpenAI shape); `parameters` is a JSON Schema. */
export interface ChatTool {
  type: 'function'
  function: { name: string; description?: string; parameters: Record<string, unknown> }
}

export interface ChatRequest {
  model: string
  messages: (ChatMessage | ToolChatMessage)[]
  tools?: ChatTool[]
  temperature?: number
  max_tokens?: number
  top_p?: number
}

export interface ChatStreamResult {
  requestId: string | null
  provider: string | null
  model: string | null
  usage: { promptTokens: number; completionTokens: number } | null
  /** From the request being sent to the first content token. */
  ttftMs: number | null
  latencyMs: number
  stopped: boolean
  /** The calls the model asked for, assembled from their streamed pieces (empty when it only answered). */
  toolCalls: ChatToolCall[]
}

interface ToolCallDelta {
  index: number
  id?: string
  function?: { name?: string; arguments?: string }
}

/**
 * Splits an SSE byte stream into `data:` payloads. Events can be cut anywhere between chunks, so the
 * unfinished tail is kept for the next push; the decoder keeps multi-byte characters whole.
 */
export function createSseDataBuffer() {
  const decoder = new TextDecoder()
  let tail = ''
  const take = (text: string, final: boolean): string[] => {
    tail += text
    const events = tail.split(/\r?\n\r?\n/)
    tail = final ? '' : (events.pop() ?? '')
    const out: string[] = []
    for (const ev of events) {
      const data = ev
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n')
      if (data) out.push(data)
    }
    return out
  }
  return {
    push: (chunk: Uint8Array) => take(decoder.decode(chunk, { stream: true }), false),
    flush: () => take(decoder.decode(), true),
  }
}

/** Streams a chat completion through the gateway, calling `onDelta` with each piece of text. */
export async function streamChat(
  body: ChatRequest,
  opts: { signal: AbortSignal; onDelta(text: string): void },
): Promise<ChatStreamResult> {
  const started = performance.now()
  const res = await gatewayFetch('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal: opts.signal,
  })
  const requestId = res.headers.get('x-request-id')
  if (!res.ok || !res.body) {
    const parsed = await res.json().catch(() => null)
    throw new ApiError(res.status, parsed?.error?.message ?? `${res.status} ${res.statusText}`, requestId)
  }
  const result: ChatStreamResult = {
    requestId,
    provider: res.headers.get('x-switchyard-provider'),
    model: res.headers.get('x-switchyard-model'),
    usage: null,
    ttftMs: null,
    latencyMs: 0,
    stopped: false,
    toolCalls: [],
  }
  const sse = createSseDataBuffer()
  const handle = (data: string) => {
    if (data === '[DONE]') return
    const chunk = JSON.parse(data)
    // After headers are sent the gateway reports failures as an in-stream error event.
    if (chunk.error) throw new ApiError(res.status, chunk.error.message ?? 'the stream failed', requestId)
    const text: string | undefined = chunk.choices?.[0]?.delta?.content
    if (text) {
      result.ttftMs ??= performance.now() - started
      opts.onDelta(text)
    }
    // A call streams as pieces under one index: its id and name first, then its arguments a few characters at a time.
    const calls: ToolCallDelta[] | undefined = chunk.choices?.[0]?.delta?.tool_calls
    for (const piece of calls ?? []) {
      result.toolCalls[piece.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } }
      const call = result.toolCalls[piece.index]
      if (piece.id) call.id = piece.id
      if (piece.function?.name) call.function.name += piece.function.name
      if (piece.function?.arguments) call.function.arguments += piece.function.arguments
    }
    if (chunk.usage) {
      result.usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens }
    }
  }
  const reader = res.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      for (const data of sse.push(value)) handle(data)
    }
    for (const data of sse.flush()) handle(data)
  } catch (err) {
    if (!opts.signal.aborted) throw err
    result.stopped = true
  }
  result.latencyMs = performance.now() - started
  // A sparse index (a provider skipping one) leaves a hole; a call without an id gets one so its answer can name it.
  result.toolCalls = result.toolCalls.filter(Boolean).map((c, i) => (c.id ? c : { ...c, id: `call_${i}` }))
  return result
}
