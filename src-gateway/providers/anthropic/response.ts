// Anthropic message → canonical ChatResponse (protocols.md §3, §8.4, §8.5).

import type { ChatResponse, FinishReason, ThinkingBlock, ToolCall, Usage } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { AnthropicContentBlock, AnthropicResponse, AnthropicUsage } from './wire-types.js'

/** protocols.md §8.4. Unknown (newer) stop reasons map to `stop`. */
const FINISH_REASON_BY_STOP_REASON: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}

/** The tool reason follows the content, not the upstream's word for it (pitfall P11). */
export function toFinishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  const mapped = (stopReason && FINISH_REASON_BY_STOP_REASON[stopReason]) || 'stop'
  if (mapped === 'tool_calls' && !hasToolCalls) return 'stop'
  if (mapped === 'stop' && hasToolCalls) return 'tool_calls'
  return mapped
}

/** Anthropic `input_tokens` excludes cache reads and writes; canonical `prompt_tokens` includes both (§8.5). */
export function toUsage(u: AnthropicUsage): Usage {
  const read = u.cache_read_input_tokens ?? 0
  const write = u.cache_creation_input_tokens ?? 0
  const prompt = (u.input_tokens ?? 0) + read + write
  const completion = u.output_tokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read, cache_creation_tokens: write },
  }
}

export function fromAnthropicMessage(body: unknown, model: string): ChatResponse {
  const msg = body as AnthropicResponse
  if (msg === null || typeof msg !== 'object' || !Array.isArray(msg.content)) {
    throw new GatewayError('upstream', 'Anthropic returned a reply without a content array')
  }
  let text = ''
  let reasoning = ''
  const toolCalls: ToolCall[] = []
  const thinking: ThinkingBlock[] = []
  for (const block of msg.content as AnthropicContentBlock[]) {
    switch (block.type) {
      case 'text':
        text += block.text
        break
      case 'tool_use':
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        })
        break
      case 'thinking':
        reasoning += block.thinking
        thinking.push({ type: 'thinking', thinking: block.thinking, signature: block.signature })
        break
      case 'redacted_thinking':
        thinking.push({ type: 'redacted_thinking', data: block.data })
        break
    }
  }
  const message: ChatResponse['choices'][number]['message'] = { role: 'assistant', content: text === '' ? null : text }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  if (thinking.length > 0) {
    message.reasoning_content = reasoning
    message.thinking_blocks = thinking
  }
  const res: ChatResponse = {
    id: msg.id,
    object: 'chat.completion',
    // Anthropic replies carry no timestamp and providers stay clock-free; the client surface stamps it.
    created: 0,
    model: typeof msg.model === 'string' ? msg.model : model,
    choices: [{ index: 0, message, finish_reason: toFinishReason(msg.stop_reason, toolCalls.length > 0) }],
    usage: toUsage(msg.usage ?? {}),
  }
  if (msg.stop_reason === 'stop_sequence' && msg.stop_sequence != null) res.stop_sequence = msg.stop_sequence
  return res
}
