import type { FastifyInstance, FastifyRequest } from 'fastify'
import { keyWorkspace } from '../../config/workspaces.js'
import type { GatewayContext } from '../../gateway-context.js'
import { callerIdentity } from '../../policies/auth-hook.js'
import { preparePromptRun } from '../../prompts/prompt-run.js'
import { type PromptStore, promptNotFound } from '../../prompts/prompt-store.js'
import { seesWorkspace } from '../../team/tenancy.js'
import type { AdminAccess } from '../edge/admin-access.js'
import { runChat } from '../fastify-call.js'
import { openaiCodec } from '../openai/codec.js'
import { callerOf } from './caller.js'

/**
 * Refuses a prompt outside the caller's workspace as if it did not exist (404 in the caller's API format): a key
 * runs only its own workspace's prompts, a signed-in member (the UI) only their workspaces'. The admin token and
 * an open caller (no keys configured, on loopback) run any.
 */
async function assertCallerSeesPrompt(
  gw: GatewayContext,
  admin: AdminAccess,
  store: PromptStore,
  req: FastifyRequest,
  name: string,
): Promise<void> {
  const ws = await store.workspaceOf(name)
  if (ws === null) throw promptNotFound(name)
  const identity = callerIdentity(req)
  if (identity.kind === 'key') {
    const key = gw.policies.list().find((k) => k.name === identity.name)
    if (!key || keyWorkspace(key) !== ws) throw promptNotFound(name)
    return
  }
  if (identity.kind !== 'admin') return
  const caller = await admin.callerOf(req)
  if (typeof caller === 'object' && !seesWorkspace(caller.principal, ws)) throw promptNotFound(name)
}

/**
 * POST /v1/prompts/{name}/run: renders a stored prompt and runs it through the normal chat pipeline,
 * so the answer (body, SSE chunks, errors) is exactly what /v1/chat/completions gives.
 */
export function registerPromptRun(
  app: FastifyInstance,
  gw: GatewayContext,
  store: PromptStore,
  admin: AdminAccess,
): void {
  app.post<{ Params: { name: string } }>(
    '/v1/prompts/:name/run',
    { config: { dialect: 'openai' } },
    async (req, reply) => {
      await assertCallerSeesPrompt(gw, admin, store, req, req.params.name)
      const run = await preparePromptRun(gw, store, req.params.name, req.body, (user) => callerOf(req, user))
      reply.header('x-switchyard-prompt-version', String(run.version.version))
      if (run.arm) reply.header('x-switchyard-prompt-arm', run.arm)
      return runChat(run.gw, { dialect: 'openai', codec: openaiCodec, body: run.body, req, reply })
    },
  )
}
