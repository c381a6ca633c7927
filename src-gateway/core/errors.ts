// The gateway throws only GatewayError. Each inbound surface maps it once, at the edge, into its own
// wire format (see api/*/errors.ts).

export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'too_large'
  | 'rate_limited'
  | 'upstream_overloaded'
  | 'upstream_timeout'
  | 'upstream'
  | 'internal'
  /** The gateway itself cannot take the call now (it is shutting down); try again shortly. */
  | 'unavailable'

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  too_large: 413,
  rate_limited: 429,
  upstream_overloaded: 503,
  upstream_timeout: 504,
  upstream: 502,
  internal: 500,
  unavailable: 503,
}

export interface GatewayErrorOptions {
  status?: number
  /** The request field at fault, e.g. `messages[2].content`. */
  param?: string
  /** A machine code more specific than the kind, e.g. `model_not_found`, `insufficient_quota`. */
  code?: string
  provider?: string
  /** Seconds, from the upstream's Retry-After (or Gemini's RetryInfo). */
  retryAfter?: string
  cause?: unknown
}

export class GatewayError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly opts: GatewayErrorOptions = {},
  ) {
    super(message, { cause: opts.cause })
    this.name = 'GatewayError'
  }
  get status(): number {
    return this.opts.status ?? STATUS_BY_KIND[this.kind]
  }
}

/** Maps an upstream HTTP status to the kind of error a client should see. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 400 || status === 422) return 'invalid_request'
  if (status === 401) return 'authentication'
  if (status === 403) return 'permission'
  if (status === 404) return 'not_found'
  if (status === 413) return 'too_large'
  if (status === 429) return 'rate_limited'
  if (status === 503 || status === 529) return 'upstream_overloaded'
  if (status === 504 || status === 408) return 'upstream_timeout'
  if (status >= 500) return 'upstream'
  return 'invalid_request'
}
