import { GatewayError } from '../core/errors.js'

/** A JSON object as decoded from a client body. */
export type Obj = Record<string, unknown>

/** A 400 in the caller's dialect, naming the field at fault. */
export function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param })
}

export { isPlainObject as isObject } from '../core/json-values.js'
