import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { GatewayError } from '../../core/errors.js'

/**
 * Compiles a body schema checked in the handler rather than by Fastify: Fastify's Ajv removes
 * unknown properties while it tries each branch of a union, which corrupts union-typed bodies such as
 * assertions. Errors name the failing field, in the caller's (OpenAI) error shape.
 */
export function bodyValidator<T>(schema: TSchema): (body: unknown) => T {
  const check = Compile(schema)
  return (body) => {
    if (check.Check(body)) return body as T
    const e = [...check.Errors(body)][0]
    const path = e?.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : ''
    throw new GatewayError('invalid_request', `${path || 'body'}: ${e?.message ?? 'is invalid'}`, { param: path })
  }
}
