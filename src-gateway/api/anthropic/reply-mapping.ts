// Canonical finish reasons and usage → Anthropic's (protocols.md §8.4, §8.5), shared by the JSON reply and
// the stream encoder.

import type { FinishReason, Usage } from '../../core/chat-types.js'
import type { AnthropicStopReason } from '../../providers/anthropic/wire-types.js'

const STOP_REASON_BY_FINISH: Record<FinishReason, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
}

/**
 * The tool reason follows the content (pitfall P11): OpenAI-compatible servers often say `stop` next to
 * tool calls, and an agent told `tool_use` with no tool_use block would wait for calls that never come.
 */
export function toStopReason(
  finish: FinishReason | null | undefined,
  stopSequence: string | null | undefined,
  hasToolUse: boolean,
): AnthropicStopReason {
  const reason = STOP_REASON_BY_FINISH[finish ?? 'stop'] ?? 'end_turn'
  if (reason === 'end_turn') return hasToolUse ? 'tool_use' : stopSequence != null ? 'stop_sequence' : 'end_turn'
  if (reason === 'tool_use' && !hasToolUse) return 'end_turn'
  return reason
}

export interface AnthropicUsageOut {
  input_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
  output_tokens: number
}

/**
 * Anthropic's `input_tokens` excludes cache reads and writes while `prompt_tokens` includes them, so both
 * are subtracted (cache writes are only known when the canonical usage came from Anthropic).
 */
export function toAnthropicUsage(u: Usage | null | undefined): AnthropicUsageOut {
  const read = u?.prompt_tokens_details?.cached_tokens ?? 0
  const write = u?.prompt_tokens_details?.cache_creation_tokens ?? 0
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - read - write),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    output_tokens: u?.completion_tokens ?? 0,
  }
}

/** Anthropic message ids start with `msg_`; other upstreams' ids are kept behind that prefix. */
export function toMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`
}
