// OpenAI-shaped reply → canonical ChatResponse. Compatible servers differ in small ways (protocols.md §7):
// `choices` missing or null, `usage` absent, reasoning under `reasoning` instead of `reasoning_content`,
// and `stop` after tool calls.

import type { ChatResponse, ChatResponseMessage, FinishReason, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import { toFinishReason } from '../shared/finish-reasons.js'

export const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  function_call: 'function_call',
}

type WireMessage = ChatResponseMessage & { reasoning?: string | null }
interface WireChoice {
  index?: number
  message?: WireMessage | null
  finish_reason?: string | null
  logprobs?: unknown
}

export function fromOpenAIResponse(body: unknown, model: string): ChatResponse {
  if (!isPlainObject(body)) throw new GatewayError('upstream', 'upstream reply is not a JSON object')
  // Some servers answer HTTP 200 with an error body.
  if (body.error !== undefined && body.error !== null && body.choices === undefined) {
    const message = isPlainObject(body.error) ? body.error.message : body.error
    throw new GatewayError('upstream', `upstream returned an error: ${String(message)}`)
  }
  const choices = Array.isArray(body.choices) ? (body.choices as WireChoice[]) : []
  const res: ChatResponse = {
    ...(body as unknown as ChatResponse),
    id: typeof body.id === 'string' ? body.id : '',
    object: 'chat.completion',
    created: typeof body.created === 'number' ? body.created : 0,
    model: typeof body.model === 'string' ? body.model : model,
    choices: choices.map((c, i) => {
      const message = toMessage(c.message)
      return {
        ...c,
        index: c.index ?? i,
        message,
        finish_reason: toFinishReason(FINISH_REASONS, c.finish_reason, (message.tool_calls?.length ?? 0) > 0),
      }
    }),
  }
  const usage = toUsage(body.usage)
  if (usage) res.usage = usage
  else delete res.usage
  return res
}

function toMessage(m: WireMessage | null | undefined): ChatResponseMessage {
  if (!m) return { role: 'assistant', content: null }
  const { reasoning, ...rest } = m
  const out: ChatResponseMessage = { ...rest, role: 'assistant', content: m.content ?? null }
  if (out.reasoning_content == null && typeof reasoning === 'string') out.reasoning_content = reasoning
  if (out.tool_calls?.length === 0) delete out.tool_calls
  return out
}

/** Usage is optional on compatible servers; a usage without counts is treated as none. */
export function toUsage(u: unknown): Usage | undefined {
  if (!isPlainObject(u) || typeof u.prompt_tokens !== 'number') return undefined
  const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0
  return {
    ...(u as unknown as Usage),
    completion_tokens: completion,
    total_tokens: typeof u.total_tokens === 'number' ? u.total_tokens : u.prompt_tokens + completion,
  }
}
