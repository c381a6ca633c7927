import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
import { type CallerIdentity, keyNameOf, workspaceOf } from '../../pipeline/call.js'
import { callerIdentity } from '../../policies/auth-hook.js'
import { knownWindow, routeWindow, targetWindow } from '../../routing/target-window.js'
import { runChat } from '../fastify-call.js'
import { openaiCodec } from './codec.js'
import { runEmbeddings } from './embeddings.js'

const openai = { dialect: 'openai' as const }

export function registerOpenAIRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.post('/v1/chat/completions', { config: openai }, (req, reply) =>
    runChat(gw, { dialect: 'openai', codec: openaiCodec, body: req.body as Record<string, unknown>, req, reply }),
  )

  app.post('/v1/embeddings', { config: openai }, (req, reply) => runEmbeddings(gw, req, reply))

  // One list shaped for both SDKs: OpenAI reads `object`/`owned_by`, Anthropic `type`/`display_name`.
  // `context_window` is an extension (neither API has the field) for tools that size prompts by it.
  // A key sees only what it may call: its model globs, and what its workspace shares; the UI, what the workspace
  // it works in shares.
  const listModels = async (identity: CallerIdentity) => {
    const keyName = keyNameOf(identity)
    const workspace = workspaceOf(identity)
    const created = Math.floor(Date.now() / 1000)
    const createdAt = new Date(created * 1000).toISOString()
    const ids: { id: string; owned_by: string; window: number | undefined }[] = Object.entries(gw.routes).map(
      ([id, route]) => ({ id, owned_by: 'switchyard', window: routeWindow(route, gw) }),
    )
    for (const p of gw.providers.values()) {
      for (const m of gw.catalog.modelsOf(p)) {
        ids.push({ id: `${p.id}/${m.id}`, owned_by: p.id, window: knownWindow({ provider: p, model: m.id }, gw) })
      }
    }
    const data = ids
      .filter(({ id }) => gw.policies.mayList(keyName, id, workspace))
      .map(({ id, owned_by, window }) => ({
        id,
        object: 'model',
        type: 'model',
        created,
        created_at: createdAt,
        owned_by,
        display_name: id,
        ...(window !== undefined && { context_window: window }),
      }))
    return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
  }

  app.get('/v1/models', { config: openai }, (req) => listModels(callerIdentity(req)))
  app.get<{ Params: { '*': string } }>('/v1/models/*', { config: openai }, async (req) => {
    const id = req.params['*']
    // One model may wait for its server to state its window (the whole list does not wait on every model).
    const provider = gw.providers.get(id.slice(0, id.indexOf('/')))
    if (provider) await targetWindow({ provider, model: id.slice(id.indexOf('/') + 1) }, gw)
    const found = (await listModels(callerIdentity(req))).data.find((m) => m.id === id)
    if (!found) throw new GatewayError('not_found', `model '${id}' is not configured`, { code: 'model_not_found' })
    return found
  })
}
