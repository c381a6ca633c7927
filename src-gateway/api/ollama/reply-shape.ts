// The parts of an Ollama reply that /api/chat and /api/generate share: the final object's counters and
// durations, finish reasons, and tool calls with object arguments (protocols.md §5).

import type { FinishReason, ToolCall, Usage } from '../../core/chat-types.js'
import { parseToolArguments } from '../../providers/shared/message-content.js'

/** /api/chat answers in `message`, /api/generate in `response`. */
export type OllamaEndpoint = 'chat' | 'generate'

/** Ollama knows only stop and length; a tool call or a filtered answer ends as `stop`. */
export function doneReason(finish: FinishReason | null | undefined): 'stop' | 'length' {
  return finish === 'length' ? 'length' : 'stop'
}

const NS_PER_MS = 1e6

/** Milliseconds from performance.now() → integer nanoseconds. */
function ns(ms: number): number {
  return Math.round(ms * NS_PER_MS)
}

/**
 * The counters of the final object. Timings are the gateway's own view (request start → first token →
 * end); nothing is loaded, so load_duration is 0.
 */
export function finalStats(
  usage: Usage | null | undefined,
  t0: number,
  firstTokenAt: number,
  now: number,
): Record<string, number> {
  return {
    total_duration: ns(now - t0),
    load_duration: 0,
    prompt_eval_count: usage?.prompt_tokens ?? 0,
    prompt_eval_duration: ns(firstTokenAt - t0),
    eval_count: usage?.completion_tokens ?? 0,
    eval_duration: ns(now - firstTokenAt),
  }
}

export function toOllamaToolCalls(calls: Pick<ToolCall, 'id' | 'function'>[]) {
  return calls.map((tc, index) => ({
    id: tc.id,
    function: { index, name: tc.function.name, arguments: parseToolArguments(tc.function.arguments) },
  }))
}
