import type { ChatChunk, ChatRequest, ChatResponse } from '../../core/chat-types.js'
import { invalid } from '../request-checks.js'
import type { DialectCodec, StreamEncoder } from '../types.js'
import { openaiErrorBody, openaiErrorStatus } from './errors.js'
import { openaiPassthrough } from './passthrough.js'

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])

/**
 * Checks what the gateway itself relies on; everything else is the upstream's to judge (vendor
 * parameters must reach providers untouched).
 */
export function validateChatRequest(body: unknown): ChatRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('request body must be a JSON object', '')
  const b = body as Record<string, unknown>
  if (typeof b.model !== 'string' || b.model === '') throw invalid("'model' is required and must be a string", 'model')
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw invalid("'messages' is required and must be a non-empty array", 'messages')
  }
  for (const [i, m] of b.messages.entries()) {
    if (!m || typeof m !== 'object') throw invalid(`messages[${i}] must be an object`, `messages[${i}]`)
    const role = (m as { role?: unknown }).role
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw invalid(
        `messages[${i}].role must be one of system, developer, user, assistant, tool`,
        `messages[${i}].role`,
      )
    }
    const content = (m as { content?: unknown }).content
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      throw invalid(`messages[${i}].content must be a string or an array of content parts`, `messages[${i}].content`)
    }
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean') throw invalid("'stream' must be a boolean", 'stream')
  if (b.n !== undefined && b.n !== null && b.n !== 1) {
    throw invalid('only n=1 is supported: the gateway returns one choice per request', 'n')
  }
  for (const k of ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'seed'] as const) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'number') throw invalid(`'${k}' must be a number`, k)
  }
  if (b.tools !== undefined && !Array.isArray(b.tools)) throw invalid("'tools' must be an array", 'tools')
  return b as ChatRequest
}

const DONE = 'data: [DONE]\n\n'

/** OpenAI SSE: one `data:` line per chunk, `[DONE]` at the end, `data: {"error":…}` on failure. */
export function openaiStreamEncoder(wantsUsage: boolean): StreamEncoder {
  const now = Math.floor(Date.now() / 1000)
  return {
    chunk(c: ChatChunk) {
      // Providers without timestamps (Anthropic) leave `created` at 0; OpenAI clients expect a time.
      if (c.created === 0) c.created = now
      // The usage-only chunk exists because the gateway asked for it; clients that didn't ask get none (P15).
      if (c.choices.length === 0 && !wantsUsage) return ''
      if (!wantsUsage && c.usage !== undefined) {
        const { usage: _, ...rest } = c
        return `data: ${JSON.stringify(rest)}\n\n`
      }
      return `data: ${JSON.stringify(c)}\n\n`
    },
    end: () => DONE,
    error: (err) => `data: ${JSON.stringify(openaiErrorBody(err))}\n\n`,
  }
}

export const openaiCodec: DialectCodec<unknown> = {
  decodeRequest: validateChatRequest,
  encodeResponse: (res: ChatResponse) => {
    if (res.created === 0) res.created = Math.floor(Date.now() / 1000)
    return res
  },
  streamEncoder: (_model, req) => openaiStreamEncoder(req.stream_options?.include_usage === true),
  encodeError: (err) => ({ status: openaiErrorStatus(err), body: openaiErrorBody(err) }),
  passthrough: openaiPassthrough,
}
