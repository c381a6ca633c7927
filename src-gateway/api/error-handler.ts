import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../core/errors.js'
import { type ClientDialect, ERROR_ENCODERS } from './dialects.js'

/** Turns anything thrown in a route (ours or Fastify's) into a GatewayError. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  const e = err as FastifyError
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('too_large', `request body is larger than the gateway's limit (${e.message})`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError('invalid_request', 'unsupported content-type; send application/json', { status: 415 })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('invalid_request', 'request body is empty; expected a JSON object')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('invalid_request', 'content-length does not match the body')
  }
  if (e?.validation) return new GatewayError('invalid_request', e.message)
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new GatewayError('invalid_request', e.message, { status: e.statusCode })
  }
  return new GatewayError('internal', 'internal gateway error', { cause: err })
}

/** The dialect of the API a request addressed, for routes and for 404s alike. */
export function dialectOf(req: FastifyRequest): ClientDialect {
  const configured = req.routeOptions.config?.dialect
  if (configured) return configured
  if (req.url.startsWith('/v1/messages')) return 'anthropic'
  if (req.url.startsWith('/api/')) return 'ollama'
  return 'openai'
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: GatewayError): FastifyReply {
  const { status, body } = ERROR_ENCODERS[dialectOf(req)](err)
  if (err.opts.retryAfter) reply.header('retry-after', err.opts.retryAfter)
  return reply.code(status).send(body)
}

/**
 * Seconds a caller refused during shutdown is told to wait: about what a supervisor (systemd, the
 * desktop app) takes to start the gateway again.
 */
const RETRY_AFTER_CLOSING_S = '5'

/**
 * A call that reaches the gateway while it closes (a keep-alive or slow client within
 * server.shutdownGraceMs) gets a 503 in its own API format, with Retry-After. Fastify's own answer
 * (`return503OnClosing`, switched off in server.ts) is one fixed body no client reads as its API's
 * error; Fastify still adds `Connection: close`. While the gateway runs, the hook costs one check.
 */
export function refuseCallsWhileClosing(app: FastifyInstance): void {
  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  app.addHook('onRequest', (_req, _reply, done) => {
    if (!closing) return done()
    done(
      new GatewayError('unavailable', 'the gateway is shutting down; try again shortly', {
        code: 'shutting_down',
        retryAfter: RETRY_AFTER_CLOSING_S,
      }),
    )
  })
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, req, reply) => {
    const err = toGatewayError(error)
    if (err.kind === 'internal') req.log.error({ err: error }, 'unhandled error')
    return sendError(req, reply, err)
  })
  app.setNotFoundHandler((req, reply) =>
    sendError(
      req,
      reply,
      new GatewayError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`, { code: 'not_found' }),
    ),
  )
}
