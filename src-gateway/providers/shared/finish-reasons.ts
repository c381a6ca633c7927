// Upstream stop reasons → canonical finish_reason (protocols.md §8.4).

import type { FinishReason } from '../../core/chat-types.js'

/**
 * Looks the upstream reason up in a provider's table (unknown reasons are `stop`), then lets the content
 * decide the tool reason: Gemini, Ollama and many OpenAI-compatible servers say `stop` after calling
 * tools (pitfall P11).
 */
export function toFinishReason(
  table: Record<string, FinishReason>,
  upstreamReason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  const mapped = (upstreamReason && table[upstreamReason]) || 'stop'
  if (hasToolCalls && mapped === 'stop') return 'tool_calls'
  if (!hasToolCalls && mapped === 'tool_calls') return 'stop'
  return mapped
}
