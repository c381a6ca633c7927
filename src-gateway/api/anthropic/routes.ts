import type { FastifyInstance } from 'fastify'
import type { GatewayContext } from '../../gateway-context.js'
import { runChat } from '../fastify-call.js'
import { anthropicCodec } from './codec.js'
import { countTokens } from './count-tokens.js'

const anthropic = { dialect: 'anthropic' as const }

export function registerAnthropicRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.post('/v1/messages', { config: anthropic }, (req, reply) =>
    runChat(gw, { dialect: 'anthropic', codec: anthropicCodec, body: req.body as Record<string, unknown>, req, reply }),
  )

  app.post('/v1/messages/count_tokens', { config: anthropic }, (req, reply) => countTokens(gw, req, reply))
}
