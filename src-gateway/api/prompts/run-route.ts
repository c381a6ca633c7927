import type { FastifyInstance } from 'fastify'
import type { GatewayContext } from '../../gateway-context.js'
import { preparePromptRun } from '../../prompts/prompt-run.js'
import type { Db } from '../../store/db.js'
import { runChat } from '../fastify-call.js'
import { openaiCodec } from '../openai/codec.js'
import { callerOf } from './caller.js'

/**
 * POST /v1/prompts/{name}/run: renders a stored prompt and runs it through the normal chat pipeline,
 * so the answer (body, SSE chunks, errors) is exactly what /v1/chat/completions gives.
 */
export function registerPromptRun(app: FastifyInstance, gw: GatewayContext, db: Db): void {
  app.post<{ Params: { name: string } }>('/v1/prompts/:name/run', { config: { dialect: 'openai' } }, (req, reply) => {
    const run = preparePromptRun(gw, db, req.params.name, req.body, (user) => callerOf(req, user))
    reply.header('x-switchyard-prompt-version', String(run.version.version))
    if (run.arm) reply.header('x-switchyard-prompt-arm', run.arm)
    return runChat(run.gw, { dialect: 'openai', codec: openaiCodec, body: run.body, req, reply })
  })
}
