// OpenAI-shaped error replies → GatewayError (protocols.md §1.5, §6, §7, §8.6). Three body shapes exist:
// OpenAI `{error:{message,type,param,code}}` (llama.cpp puts the HTTP status in a numeric `code`),
// vLLM's older flat `{object:"error",message,type,param,code}`, and `{error:"text"}` from smaller servers.

import { GatewayError, type GatewayErrorOptions, kindForStatus } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import { bodySnippet, headerValue, type ResponseHeaders } from '../shared/upstream-errors.js'

interface ParsedError {
  message: string
  type?: string
  param?: string
  /** A string code only (`insufficient_quota`); numeric codes are statuses. */
  code?: string
  status?: number
}

/**
 * In-stream errors have no HTTP status; the `type` (or llama.cpp's numeric code) stands in for it.
 * Anything else mid-stream is an upstream failure.
 */
const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  unavailable_error: 503,
  server_error: 502,
}

export function fromOpenAIError(status: number, body: string, headers: ResponseHeaders): GatewayError {
  const parsed = parseErrorBody(body)
  const opts: GatewayErrorOptions = { status }
  if (parsed?.code) opts.code = parsed.code
  if (parsed?.param) opts.param = parsed.param
  const retryAfter = retryAfterSeconds(headers)
  if (retryAfter) opts.retryAfter = retryAfter
  const message = parsed?.message || `upstream returned HTTP ${status}${bodySnippet(body)}`
  return new GatewayError(kindForStatus(status), message, opts)
}

/** A `data: {"error":…}` frame after HTTP 200 (pitfall P12). */
export function fromOpenAIStreamError(data: string): GatewayError {
  const parsed = parseErrorBody(data)
  const status = parsed?.status ?? statusOfType(parsed?.code) ?? statusOfType(parsed?.type) ?? 502
  const opts: GatewayErrorOptions = { status }
  if (parsed?.code) opts.code = parsed.code
  return new GatewayError(kindForStatus(status), parsed?.message || `upstream stream error${bodySnippet(data)}`, opts)
}

function statusOfType(type: string | undefined): number | undefined {
  return type === undefined ? undefined : STATUS_BY_ERROR_TYPE[type]
}

function parseErrorBody(body: string): ParsedError | undefined {
  const json = parseJsonOrUndefined(body)
  if (!isPlainObject(json)) return undefined
  if (typeof json.error === 'string') return { message: json.error }
  const err = isPlainObject(json.error) ? json.error : json.object === 'error' ? json : undefined
  if (!err || typeof err.message !== 'string') return undefined
  const out: ParsedError = { message: err.message }
  if (typeof err.type === 'string') out.type = err.type
  if (typeof err.param === 'string') out.param = err.param
  if (typeof err.code === 'string') out.code = err.code
  else if (typeof err.code === 'number' && err.code >= 400 && err.code < 600) out.status = err.code
  return out
}

/** `retry-after` is seconds; the OpenAI SDKs also honour `retry-after-ms`, which we round up to seconds. */
function retryAfterSeconds(headers: ResponseHeaders): string | undefined {
  const seconds = headerValue(headers, 'retry-after')
  if (seconds) return seconds
  const ms = Number(headerValue(headers, 'retry-after-ms'))
  return Number.isFinite(ms) && ms > 0 ? String(Math.ceil(ms / 1000)) : undefined
}
