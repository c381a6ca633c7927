import { ConfigValidationError } from '../../config/store.js'
import { type ConfigProblem, pointerToParam } from '../../config/validate.js'
import { GatewayError } from '../../core/errors.js'

/** A 400 naming the first field at fault in `param` and every problem in the message. */
export function invalidBody(problems: ConfigProblem[]): GatewayError {
  return invalidRequest('body', problems)
}

/** The parts of a request a route's schema checks. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers'

/** How the message names a field outside the body: `query.limit`, `path.id`; a body field is named bare. */
const PART_NAMES: Record<RequestPart, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
}

/**
 * A 400 naming every problem in the message, each at its field (`logs.maxAgeDays: must be > 0`, `query.limit: …`),
 * and the first field at fault in `param`; `code` is `invalid_value` whatever the field.
 */
export function invalidRequest(part: RequestPart, problems: ConfigProblem[]): GatewayError {
  const name = (p: ConfigProblem) => {
    const field = pointerToParam(p.path)
    if (!field) return PART_NAMES[part]
    return part === 'body' ? field : `${PART_NAMES[part]}.${field}`
  }
  const message = problems.map((p) => `${name(p)}: ${p.message}`).join('; ')
  return new GatewayError('invalid_request', message, {
    param: pointerToParam(problems[0].path) || undefined,
    code: 'invalid_value',
  })
}

/** Runs a config change; a config it would make invalid becomes a 400 at the field concerned. */
export function applying<T>(change: () => T): T {
  const rethrow = (err: unknown): never => {
    if (err instanceof ConfigValidationError) throw invalidBody(err.problems)
    throw err
  }
  try {
    const out = change()
    // An async change (a backup restore) rejects instead of throwing.
    return out instanceof Promise ? (out.catch(rethrow) as T) : out
  } catch (err) {
    return rethrow(err)
  }
}

export function notFound(what: string, code: string): GatewayError {
  return new GatewayError('not_found', what, { code })
}

export function conflict(message: string, code: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, { status: 409, code, param })
}
