// GatewayError → Anthropic error body and status (protocols.md §3.5, §8.6; style.md "Errors").

import type { ErrorKind, GatewayError } from '../../core/errors.js'

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  upstream_overloaded: 'overloaded_error',
  upstream_timeout: 'api_error',
  upstream: 'api_error',
  internal: 'api_error',
  unavailable: 'overloaded_error',
}

export function anthropicErrorType(err: GatewayError): string {
  return TYPE_BY_KIND[err.kind]
}

/** Anthropic clients know 529 as "overloaded" and back off longer on it, whatever status the upstream used. */
export function anthropicErrorStatus(err: GatewayError): number {
  return err.kind === 'upstream_overloaded' ? 529 : err.status
}

export function anthropicErrorBody(err: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: TYPE_BY_KIND[err.kind], message: err.message } }
}

/** An error after the stream started: an `event: error` frame, after which the stream closes (pitfall P12). */
export function anthropicErrorEvent(type: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`
}
