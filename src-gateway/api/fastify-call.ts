import type { FastifyReply, FastifyRequest } from 'fastify'
import { CallAbort } from '../core/cancel.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallSink, GatewayCall } from '../pipeline/call.js'
import { executeCall } from '../pipeline/execute-call.js'
import { callerIdentity } from '../policies/auth-hook.js'
import type { ClientDialect } from './dialects.js'
import { sendError } from './error-handler.js'
import { startStream } from './outcome.js'
import type { DialectCodec } from './types.js'

/**
 * What a route hands over: its dialect, codec and body (a prompt run's is rendered, not the client's). An
 * embeddings or token-count route names the chat codec of its dialect.
 */
export interface ChatRoute {
  dialect: ClientDialect
  codec: DialectCodec<unknown>
  body: Record<string, unknown>
  req: FastifyRequest
  reply: FastifyReply
}

/** The answer side of a call, on a Fastify reply. */
function replySink(req: FastifyRequest, reply: FastifyReply): CallSink {
  return {
    header: (name, value) => {
      reply.header(name, value)
    },
    json: (text) => {
      reply.type('application/json; charset=utf-8').send(text)
    },
    stream: (contentType) => startStream(reply, contentType),
    error: (err) => {
      if (!reply.sent && !reply.raw.headersSent) sendError(req, reply, err)
    },
    logError: (err, message) => req.log.error({ err }, message),
  }
}

/**
 * A Fastify request as a GatewayCall, and its reply as the call's sink. The call is aborted when the client
 * goes away before its answer was written.
 */
export function fastifyCall(route: ChatRoute): { call: GatewayCall; sink: CallSink } {
  const { req, reply } = route
  const signal = new CallAbort()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) signal.abort()
  })
  const call: GatewayCall = {
    requestId: req.id,
    identity: callerIdentity(req),
    dialect: route.dialect,
    codec: route.codec,
    body: route.body,
    // The client's bytes as sent (kept by the JSON parser).
    rawBody: (req as FastifyRequest & { rawBody?: string }).rawBody,
    headers: req.headers,
    signal,
  }
  return { call, sink: replySink(req, reply) }
}

/** A chat call from a Fastify route: decoded into a GatewayCall, executed, answered on the reply. */
export function runChat(gw: GatewayContext, route: ChatRoute): Promise<void> {
  const { call, sink } = fastifyCall(route)
  return executeCall(gw, call, sink)
}
