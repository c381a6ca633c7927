import type { GatewayError } from '../core/errors.js'
import { anthropicErrorBody, anthropicErrorStatus } from './anthropic/errors.js'
import { openaiErrorBody, openaiErrorStatus } from './openai/errors.js'

export type ClientDialect = 'openai' | 'anthropic'

/** How each inbound API writes an error response. */
export const ERROR_ENCODERS: Record<ClientDialect, (err: GatewayError) => { status: number; body: unknown }> = {
  openai: (err) => ({ status: openaiErrorStatus(err), body: openaiErrorBody(err) }),
  anthropic: (err) => ({ status: anthropicErrorStatus(err), body: anthropicErrorBody(err) }),
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API family a route belongs to: errors on it are written in this dialect. */
    dialect?: ClientDialect
  }
}
