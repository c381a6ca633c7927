import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
import { runChat } from '../fastify-call.js'
import { createResponsesCodec } from './codec.js'

const responses = { dialect: 'responses' as const }

/** Nothing is stored (every call is `store: false` in effect), so there is nothing to fetch, list or cancel. */
function notStored(): never {
  throw new GatewayError(
    'not_found',
    'Switchyard stores no responses: retrieving, deleting or cancelling one by id is not supported',
    { code: 'not_found' },
  )
}

export function registerResponsesRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.post('/v1/responses', { config: responses }, (req, reply) =>
    runChat(gw, {
      dialect: 'responses',
      codec: createResponsesCodec(),
      body: req.body as Record<string, unknown>,
      req,
      reply,
    }),
  )
  app.get('/v1/responses/:id', { config: responses }, notStored)
  app.delete('/v1/responses/:id', { config: responses }, notStored)
  app.post('/v1/responses/:id/cancel', { config: responses }, notStored)
  app.get('/v1/responses/:id/input_items', { config: responses }, notStored)
}
