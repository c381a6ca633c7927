import type { FastifyReply, FastifyRequest } from 'fastify'
import type { EmbeddingsRequest } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
import { type EmbeddingsCodec, runEmbeddingsCall } from '../embeddings-call.js'
import { openaiCodec } from './codec.js'

/** The canonical embeddings format is OpenAI's: checked, then passed on as is. */
const openaiEmbeddings: EmbeddingsCodec = {
  decode(body) {
    const b = body as Record<string, unknown> | undefined
    if (!b || typeof b.model !== 'string') {
      throw new GatewayError('invalid_request', "'model' is required and must be a string", { param: 'model' })
    }
    if (b.input === undefined) throw new GatewayError('invalid_request', "'input' is required", { param: 'input' })
    return b as unknown as EmbeddingsRequest
  },
  encode: (res) => res,
}

const OPENAI = { dialect: 'openai' as const, codec: openaiCodec }

/** POST /v1/embeddings. */
export function runEmbeddings(gw: GatewayContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  return runEmbeddingsCall(gw, req, reply, openaiEmbeddings, OPENAI)
}
