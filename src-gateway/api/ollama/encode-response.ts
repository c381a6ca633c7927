// Canonical ChatResponse → the single JSON object Ollama returns with `stream: false`. Continue sends
// tool requests this way and reads `message.tool_calls[].function.arguments` as an object.

import type { ChatResponse } from '../../core/chat-types.js'
import { doneReason, finalStats, type OllamaEndpoint, toOllamaToolCalls } from './reply-shape.js'

export function encodeOllamaResponse(
  res: ChatResponse,
  requestedModel: string,
  endpoint: OllamaEndpoint,
  t0: number,
): Record<string, unknown> {
  const choice = res.choices[0]
  const msg = choice?.message
  const text = msg?.content ?? msg?.refusal ?? ''
  // The model that answered, as its upstream names it (what every dialect reports).
  const head: Record<string, unknown> = { model: res.model || requestedModel, created_at: new Date().toISOString() }
  if (endpoint === 'chat') {
    const message: Record<string, unknown> = { role: 'assistant', content: text }
    if (msg?.reasoning_content) message.thinking = msg.reasoning_content
    if (msg?.tool_calls?.length) message.tool_calls = toOllamaToolCalls(msg.tool_calls)
    head.message = message
  } else {
    head.response = text
    if (msg?.reasoning_content) head.thinking = msg.reasoning_content
  }
  // Without a stream there is no first token to time: all of it counts as evaluation.
  return {
    ...head,
    done: true,
    done_reason: doneReason(choice?.finish_reason),
    ...finalStats(res.usage, t0, t0, performance.now()),
  }
}
