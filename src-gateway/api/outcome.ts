import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
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
  | 'toolCallRepairs'
> & {
  /** The answer's text (as the upstream wrote it, placeholders and all), computed only when asked for. */
  outputText?: () => string
  /** A complete answer not sent yet: the stages' answer hooks get to see it first. */
  send?: () => void
  /** The answer failed part-way by the gateway's own fault, not the upstream's: no breaker counts it. */
  gatewayFault?: boolean
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

/**
 * Takes the response over from Fastify and sends a stream's headers (those set on the reply so far, plus
 * the dialect's content type). From here on the caller writes the raw socket.
 */
export function startStream(reply: FastifyReply, contentType: string | undefined): ServerResponse {
  reply.hijack()
  // getHeaders() returns a new object (the reply's headers over the raw response's): completed in place
  // rather than copied once more.
  const headers = reply.getHeaders() as Record<string, string>
  headers['content-type'] = contentType ?? 'text/event-stream; charset=utf-8'
  headers['cache-control'] = 'no-cache'
  headers.connection = 'keep-alive'
  reply.raw.writeHead(200, headers)
  return reply.raw
}
