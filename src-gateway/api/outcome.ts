import type { ChatResponse } from '../core/chat-types.js'
import type { LogEvent } from '../core/log-event.js'
import type { TokenCounts } from './stream-accounting.js'

/** How one answer went, as the log event records it, plus what the pipeline still has to do with it. */
export type Outcome = Pick<
  LogEvent,
  | 'status'
  | 'error'
  | 'ttftMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'cachedTokens'
  | 'reasoningTokens'
  | 'responseBody'
  | 'provider'
  | 'model'
  | 'isCacheHit'
> & {
  /** The answer's text (as the upstream wrote it, placeholders and all), computed only when asked for. */
  outputText?: () => string
  /** A complete answer not sent yet: output guardrails get to see it first. */
  send?: () => void
  /** The canonical answer, when the plan asked to collect it for the cache. */
  response?: ChatResponse
}

export function outcome(status: number, counts: TokenCounts | undefined, extra: Partial<Outcome> = {}): Outcome {
  return {
    status,
    inputTokens: counts?.input,
    outputTokens: counts?.output,
    cachedTokens: counts?.cached,
    reasoningTokens: counts?.reasoning,
    ...extra,
  }
}
