// Gemini generateContent reply → canonical ChatResponse (protocols.md §4, §8.4, §8.5, pitfalls P11, P21).

import type { ChatResponse, ChatResponseMessage, FinishReason, ToolCall, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject } from '../../core/json-values.js'
import { toFinishReason } from '../shared/finish-reasons.js'
import { synthesizeCompletionId, synthesizeToolCallId } from '../shared/synthetic-ids.js'
import type { GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire-types.js'

/** §8.4. Unlisted reasons (RECITATION, OTHER, MALFORMED_FUNCTION_CALL, …) are `stop`. */
export const FINISH_REASONS: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  BLOCKLIST: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  LANGUAGE: 'content_filter',
}

export interface CandidateContent {
  text: string
  reasoning: string
  toolCalls: ToolCall[]
}

/** Text, thought summaries and whole function calls; calls get ids (Gemini sends none) and keep their signature. */
export function readParts(parts: GeminiPart[] | undefined): CandidateContent {
  const out: CandidateContent = { text: '', reasoning: '', toolCalls: [] }
  for (const p of parts ?? []) {
    if (p.functionCall) {
      const call: ToolCall = {
        id: p.functionCall.id || synthesizeToolCallId(),
        type: 'function',
        function: { name: p.functionCall.name, arguments: JSON.stringify(p.functionCall.args ?? {}) },
      }
      if (p.thoughtSignature) call.function.thought_signature = p.thoughtSignature
      out.toolCalls.push(call)
    } else if (typeof p.text === 'string') {
      if (p.thought) out.reasoning += p.text
      else out.text += p.text
    }
  }
  return out
}

/**
 * `candidatesTokenCount` leaves thoughts out, but they are billed as output (P21). Tool-use prompt tokens
 * (from built-in tools) are billed as input.
 */
export function toUsage(u: GeminiUsageMetadata): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0)
  const thoughts = u.thoughtsTokenCount ?? 0
  const completion = (u.candidatesTokenCount ?? 0) + thoughts
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  }
}

/** The finish reason of a reply or a stream's last chunk; a blocked prompt has no candidate at all. */
export function finishReasonOf(r: GeminiResponse, hasToolCalls: boolean): FinishReason | undefined {
  const candidate = r.candidates?.[0]
  if (!candidate) return r.promptFeedback?.blockReason ? 'content_filter' : undefined
  return candidate.finishReason ? toFinishReason(FINISH_REASONS, candidate.finishReason, hasToolCalls) : undefined
}

export function fromGeminiResponse(body: unknown, model: string): ChatResponse {
  if (!isPlainObject(body)) throw new GatewayError('upstream', 'Gemini reply is not a JSON object')
  const r = body as GeminiResponse
  const { text, reasoning, toolCalls } = readParts(r.candidates?.[0]?.content?.parts)
  const message: ChatResponseMessage = { role: 'assistant', content: text === '' ? null : text }
  if (reasoning !== '') message.reasoning_content = reasoning
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  const res: ChatResponse = {
    id: r.responseId || synthesizeCompletionId(),
    object: 'chat.completion',
    // Gemini replies carry no timestamp and providers stay clock-free; the client surface stamps it.
    created: 0,
    model: r.modelVersion ?? model,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(r, toolCalls.length > 0) ?? 'stop' }],
  }
  if (r.usageMetadata) res.usage = toUsage(r.usageMetadata)
  return res
}
