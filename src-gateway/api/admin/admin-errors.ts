import { ConfigValidationError } from '../../config/store.js'
import { type ConfigProblem, pointerToParam } from '../../config/validate.js'
import { GatewayError } from '../../core/errors.js'

/** A 400 naming the first field at fault in `param` and every problem in the message. */
export function invalidBody(problems: ConfigProblem[]): GatewayError {
  const message = problems.map((p) => `${pointerToParam(p.path) || 'body'}: ${p.message}`).join('; ')
  return new GatewayError('invalid_request', message, { param: pointerToParam(problems[0].path) })
}

/** Runs a config change; a config it would make invalid becomes a 400 at the field concerned. */
export function applying<T>(change: () => T): T {
  try {
    return change()
  } catch (err) {
    if (err instanceof ConfigValidationError) throw invalidBody(err.problems)
    throw err
  }
}

export function notFound(what: string, code: string): GatewayError {
  return new GatewayError('not_found', what, { code })
}

export function conflict(message: string, code: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, { status: 409, code, param })
}
