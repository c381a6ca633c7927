// Ollama /api/chat reply → canonical ChatResponse (protocols.md §5, §8.4, §8.5, pitfalls P11, P14).

import type { ChatResponse, ChatResponseMessage, FinishReason, ToolCall, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import { toFinishReason } from '../shared/finish-reasons.js'
import { synthesizeCompletionId, synthesizeToolCallId } from '../shared/synthetic-ids.js'
import type { OllamaChatResponse, OllamaToolCall } from './wire-types.js'

/** `load` and `unload` end a request without generating; they are a stop, not an error. */
const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
}

/** Calls arrive whole, with object arguments and (on older builds) no id (P14). */
export function toToolCall(tc: OllamaToolCall): ToolCall {
  const args = tc.function.arguments
  return {
    id: tc.id || synthesizeToolCallId(),
    type: 'function',
    function: { name: tc.function.name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
  }
}

export function finishReasonOf(r: OllamaChatResponse, hasToolCalls: boolean): FinishReason {
  return toFinishReason(FINISH_REASONS, r.done_reason, hasToolCalls)
}

/** Only the final (done) object has counts. A cached prompt prefix can make prompt_eval_count low or absent. */
export function toUsage(r: OllamaChatResponse): Usage {
  const prompt = r.prompt_eval_count ?? 0
  const completion = r.eval_count ?? 0
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** `created_at` is an ISO time; parsing it needs no clock. */
export function createdOf(r: OllamaChatResponse): number {
  const ms = typeof r.created_at === 'string' ? Date.parse(r.created_at) : Number.NaN
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000)
}

export function fromOllamaResponse(body: unknown, model: string): ChatResponse {
  if (!isPlainObject(body)) throw new GatewayError('upstream', 'Ollama reply is not a JSON object')
  const r = body as OllamaChatResponse
  const m = r.message ?? {}
  const toolCalls = (m.tool_calls ?? []).map(toToolCall)
  const message: ChatResponseMessage = { role: 'assistant', content: m.content ? m.content : null }
  if (m.thinking) message.reasoning_content = m.thinking
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  return {
    id: synthesizeCompletionId(),
    object: 'chat.completion',
    created: createdOf(r),
    model: r.model ?? model,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(r, toolCalls.length > 0) }],
    usage: toUsage(r),
  }
}
