// POST /api/embed and the legacy POST /api/embeddings, over the same upstream call as /v1/embeddings.

import type { EmbeddingsRequest, EmbeddingsResponse } from '../../core/chat-types.js'
import type { EmbeddingsCodec } from '../embeddings-call.js'
import { invalid } from '../request-checks.js'

function requireModel(body: unknown): Record<string, unknown> & { model: string } {
  const b = body as Record<string, unknown> | undefined
  if (!b || typeof b.model !== 'string' || b.model === '')
    throw invalid("'model' is required and must be a string", 'model')
  return b as Record<string, unknown> & { model: string }
}

/** Ollama sends vectors as float arrays; base64 (an OpenAI option) is never asked for. */
const vectors = (res: EmbeddingsResponse) => res.data.map((d) => d.embedding as number[])

export const ollamaEmbed: EmbeddingsCodec = {
  decode(body) {
    const b = requireModel(body)
    const input = b.input
    if (typeof input !== 'string' && !(Array.isArray(input) && input.every((x) => typeof x === 'string'))) {
      throw invalid("'input' must be a string or an array of strings", 'input')
    }
    const req: EmbeddingsRequest = { model: b.model, input }
    if (typeof b.dimensions === 'number') req.dimensions = b.dimensions
    return req
  },
  encode: (res) => ({
    model: res.model,
    embeddings: vectors(res),
    total_duration: 0,
    load_duration: 0,
    prompt_eval_count: res.usage.prompt_tokens,
  }),
}

export const ollamaLegacyEmbeddings: EmbeddingsCodec = {
  decode(body) {
    const b = requireModel(body)
    if (typeof b.prompt !== 'string') throw invalid("'prompt' must be a string", 'prompt')
    return { model: b.model, input: b.prompt }
  },
  encode: (res) => ({ embedding: vectors(res)[0] ?? [] }),
}
