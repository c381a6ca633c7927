// Anthropic error replies → GatewayError (protocols.md §3.5, §8.6).

import { GatewayError, kindForStatus } from '../../core/errors.js'

/**
 * Errors inside a 200 stream have no HTTP status; their `error.type` stands in for the status the same
 * error gets as a plain reply. Unknown (newer) types count as a server error.
 */
const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
}

type Headers = Record<string, string | string[] | undefined>

/** An upstream non-2xx reply. The status is kept; bodies that are not Anthropic JSON (edge proxies) still map. */
export function fromAnthropicError(status: number, body: string, headers: Headers): GatewayError {
  const parsed = parseErrorBody(body)
  const message = parsed?.message ?? `Anthropic returned HTTP ${status}${snippet(body)}`
  const retryAfter = header(headers, 'retry-after')
  return new GatewayError(kindForStatus(status), message, retryAfter ? { status, retryAfter } : { status })
}

/** An `event: error` frame received after HTTP 200 (pitfall P12). */
export function fromAnthropicStreamError(data: string): GatewayError {
  const parsed = parseErrorBody(data)
  const status = (parsed && STATUS_BY_ERROR_TYPE[parsed.type]) || 500
  return new GatewayError(kindForStatus(status), parsed?.message ?? `Anthropic stream error${snippet(data)}`, {
    status,
  })
}

function parseErrorBody(body: string): { type: string; message: string } | undefined {
  try {
    const err = (JSON.parse(body) as { error?: { type?: unknown; message?: unknown } })?.error
    if (err && typeof err.message === 'string') return { type: String(err.type ?? ''), message: err.message }
  } catch {
    // not JSON: an HTML page or plain text from a proxy in front of the API
  }
  return undefined
}

function snippet(body: string): string {
  const text = body.trim().slice(0, 200)
  return text === '' ? '' : `: ${text}`
}

function header(headers: Headers, name: string): string | undefined {
  let value = headers[name]
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name)
    if (key) value = headers[key]
  }
  return Array.isArray(value) ? value[0] : value
}
