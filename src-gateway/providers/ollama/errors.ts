// Ollama error replies → GatewayError (protocols.md §5): `{"error":"model \"x\" not found, try pulling it
// first"}` with HTTP 404, 400 or 500, or the same object as a line of a 200 stream.

import { GatewayError, kindForStatus } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import { bodySnippet, headerValue, type ResponseHeaders } from '../shared/upstream-errors.js'

export function fromOllamaError(status: number, body: string, headers: ResponseHeaders): GatewayError {
  const parsed = parseJsonOrUndefined(body)
  const message = isPlainObject(parsed) ? errorText(parsed.error) : undefined
  const retryAfter = headerValue(headers, 'retry-after')
  return new GatewayError(
    kindForStatus(status),
    message ?? `Ollama returned HTTP ${status}${bodySnippet(body)}`,
    retryAfter ? { status, retryAfter } : { status },
  )
}

/** A mid-stream error (the runner crashed, ran out of memory…) is the server's failure, not the request's. */
export function fromOllamaStreamError(error: unknown): GatewayError {
  return new GatewayError('upstream', errorText(error) ?? 'Ollama stream reported an error')
}

/** Ollama sends a string; OpenAI-style objects appear from proxies in front of it. */
function errorText(error: unknown): string | undefined {
  if (typeof error === 'string') return error
  if (isPlainObject(error) && typeof error.message === 'string') return error.message
  return undefined
}
