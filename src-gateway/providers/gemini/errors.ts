// Gemini error replies → GatewayError (protocols.md §4 "Errors", §8.6). Body:
// {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[{"@type":"…RetryInfo","retryDelay":"30s"}]}}

import { type ErrorKind, GatewayError, type GatewayErrorOptions, kindForStatus } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import { bodySnippet, headerValue, type ResponseHeaders } from '../shared/upstream-errors.js'

/** The google.rpc status name is more precise than the HTTP status (a 400 may be a precondition failure). */
const KIND_BY_STATUS_NAME: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAVAILABLE: 'upstream_overloaded',
  DEADLINE_EXCEEDED: 'upstream_timeout',
  INTERNAL: 'upstream',
  UNKNOWN: 'upstream',
}

interface GoogleError {
  code?: unknown
  message?: unknown
  status?: unknown
  details?: unknown
}

export function fromGeminiError(status: number, body: string, headers: ResponseHeaders): GatewayError {
  return toGatewayError(status, parseErrorBody(body), body, headerValue(headers, 'retry-after'))
}

/** An error object sent as an SSE event after HTTP 200; its `code` is the HTTP status it would have had. */
export function fromGeminiStreamError(data: string): GatewayError {
  const err = parseErrorBody(data)
  const status = typeof err?.code === 'number' ? err.code : 502
  return toGatewayError(status, err, data, undefined)
}

function toGatewayError(
  status: number,
  err: GoogleError | undefined,
  body: string,
  retryAfterHeader: string | undefined,
): GatewayError {
  const details = Array.isArray(err?.details) ? err.details.filter(isPlainObject) : []
  const message = typeof err?.message === 'string' ? err.message : `Gemini returned HTTP ${status}${bodySnippet(body)}`
  // A bad key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID; clients and retry logic need a 401.
  if (details.some((d) => d.reason === 'API_KEY_INVALID')) {
    return new GatewayError('authentication', message, { status: 401 })
  }
  const opts: GatewayErrorOptions = { status }
  const retryAfter = retryDelaySeconds(details) ?? retryAfterHeader
  if (retryAfter) opts.retryAfter = retryAfter
  const kind = (typeof err?.status === 'string' && KIND_BY_STATUS_NAME[err.status]) || kindForStatus(status)
  return new GatewayError(kind, message, opts)
}

/** Gemini puts the retry delay in the body (RetryInfo.retryDelay, e.g. "30s" or "1.5s"), as whole seconds. */
function retryDelaySeconds(details: Record<string, unknown>[]): string | undefined {
  for (const d of details) {
    const m = typeof d.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay) : null
    if (m) return String(Math.ceil(Number(m[1])))
  }
  return undefined
}

/** Without alt=sse, errors come wrapped in a JSON array like the stream they replace. */
function parseErrorBody(body: string): GoogleError | undefined {
  let json = parseJsonOrUndefined(body)
  if (Array.isArray(json)) json = json[0]
  return isPlainObject(json) && isPlainObject(json.error) ? (json.error as GoogleError) : undefined
}
