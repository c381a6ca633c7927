// Canonical ChatResponse → Anthropic message JSON (protocols.md §3 "Non-stream response").

import type { ChatResponse } from '../../core/chat-types.js'
import { GATEWAY_THINKING_SIGNATURE } from '../../core/thinking-signature.js'
import { parseToolInput } from '../../providers/anthropic/tool-ids.js'
import type { AnthropicContentBlock, AnthropicResponse } from '../../providers/anthropic/wire-types.js'
import { toAnthropicUsage, toMessageId, toStopReason } from './reply-mapping.js'

/**
 * Thinking blocks come first, then text, then tool_use, as Anthropic orders them. Reasoning from a
 * non-Anthropic upstream is shown as a thinking block signed with the gateway's marker, so that it is
 * recognised when the client sends it back (core/thinking-signature.ts). Tool
 * arguments that are not a JSON object (a call cut off by max_tokens) become `input: {}`: Anthropic clients
 * require an object, and the tool's own validation then tells the model what was missing.
 */
export function encodeAnthropicResponse(res: ChatResponse, requestedModel: string): AnthropicResponse {
  const choice = res.choices[0]
  const msg = choice?.message
  const content: AnthropicContentBlock[] = []
  if (msg?.thinking_blocks && msg.thinking_blocks.length > 0) {
    for (const t of msg.thinking_blocks) {
      content.push(
        t.type === 'redacted_thinking'
          ? { type: 'redacted_thinking', data: t.data ?? '' }
          : { type: 'thinking', thinking: t.thinking ?? '', signature: t.signature ?? '' },
      )
    }
  } else if (msg?.reasoning_content) {
    content.push({ type: 'thinking', thinking: msg.reasoning_content, signature: GATEWAY_THINKING_SIGNATURE })
  }
  const text = msg?.content || msg?.refusal
  if (text) content.push({ type: 'text', text })
  const calls = msg?.tool_calls ?? []
  for (const call of calls) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolInput(call.function.arguments),
    })
  }
  const stopReason = toStopReason(choice?.finish_reason, res.stop_sequence, calls.length > 0)
  return {
    id: toMessageId(res.id),
    type: 'message',
    role: 'assistant',
    // The model that answered, as its upstream names it (what every dialect reports); the requested
    // name only when the upstream gave none.
    model: res.model || requestedModel,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (res.stop_sequence ?? null) : null,
    usage: toAnthropicUsage(res.usage),
  }
}
