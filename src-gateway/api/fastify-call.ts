import type { FastifyReply, FastifyRequest } from 'fastify'
import { CallAbort } from '../core/cancel.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallSink, GatewayCall } from '../pipeline/call.js'
import { executeCall } from '../pipeline/execute-call.js'
import type { ClientDialect } from './dialects.js'
import { sendError } from './error-handler.js'
import { startStream } from './outcome.js'
import type { DialectCodec } from './types.js'

/** What a chat route hands over: its dialect, codec and body (a prompt run's is rendered, not the client's). */
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

/** A chat call from a Fastify route: decoded into a GatewayCall, executed, answered on the reply. */
export function runChat(gw: GatewayContext, route: ChatRoute): Promise<void> {
  const { req, reply } = route
  const signal = new CallAbort()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) signal.abort()
  })
  const call: GatewayCall = {
    requestId: req.id,
    keyName: req.keyName,
    dialect: route.dialect,
    codec: route.codec,
    body: route.body,
    // The client's bytes as sent (kept by the JSON parser).
    rawBody: (req as FastifyRequest & { rawBody?: string }).rawBody,
    headers: req.headers,
    signal,
  }
  return executeCall(gw, call, replySink(req, reply))
}
