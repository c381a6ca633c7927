import type { GatewayError } from '../core/errors.js'
import { anthropicErrorBody, anthropicErrorStatus } from './anthropic/errors.js'
import { openaiErrorBody, openaiErrorStatus } from './openai/errors.js'

/** The inbound API families. Responses and Ollama surfaces are translated through the canonical format. */
export type ClientDialect = 'openai' | 'anthropic' | 'responses' | 'ollama'

/** How each inbound API writes an error response. */
export const ERROR_ENCODERS: Record<ClientDialect, (err: GatewayError) => { status: number; body: unknown }> = {
  openai: (err) => ({ status: openaiErrorStatus(err), body: openaiErrorBody(err) }),
  anthropic: (err) => ({ status: anthropicErrorStatus(err), body: anthropicErrorBody(err) }),
  // The Responses API uses OpenAI's error body.
  responses: (err) => ({ status: openaiErrorStatus(err), body: openaiErrorBody(err, 'responses') }),
  // Ollama clients read a bare `{"error": "…"}`.
  ollama: (err) => ({ status: openaiErrorStatus(err), body: { error: err.message } }),
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API family a route belongs to: errors on it are written in this dialect. */
    dialect?: ClientDialect
  }
}
