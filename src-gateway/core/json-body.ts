import type { FastifyRequest } from 'fastify'
import { GatewayError } from './errors.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js'

/**
 * Fastify's body parser for JSON request bodies (`parseAs: 'string'`), whatever content type they came
 * under. JSON.parse is faster than Fastify's prototype-poisoning-safe parser; we never merge request
 * bodies into objects, so `__proto__` keys are inert here.
 */
export function parseJsonBody(
  req: FastifyRequest,
  body: string | Buffer,
  done: (err: Error | null, value?: unknown) => void,
) {
  if (body === '') return done(new GatewayError('invalid_request', 'request body is empty; expected a JSON object'))
  try {
    const parsed = JSON.parse(body as string)
    if (parsed === null) {
      return done(new GatewayError('invalid_request', 'request body is null; expected a JSON object'))
    }
    // Every recursive walk after the parser (serialising, redaction, schemas) would overflow the stack.
    if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
      return done(new GatewayError('invalid_request', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`))
    }
    // Kept for the request log, which stores what the client sent without serialising it again.
    ;(req as FastifyRequest & { rawBody?: string }).rawBody = body as string
    done(null, parsed)
  } catch (err) {
    done(new GatewayError('invalid_request', `request body is not valid JSON: ${(err as Error).message}`))
  }
}
