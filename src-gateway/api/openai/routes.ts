import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
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
  const listModels = async () => {
    const created = Math.floor(Date.now() / 1000)
    const createdAt = new Date(created * 1000).toISOString()
    const ids: { id: string; owned_by: string }[] = Object.keys(gw.routes).map((id) => ({ id, owned_by: 'switchyard' }))
    for (const p of gw.providers.values()) {
      for (const m of gw.catalog.modelsOf(p)) ids.push({ id: `${p.id}/${m.id}`, owned_by: p.id })
    }
    const data = ids.map(({ id, owned_by }) => ({
      id,
      object: 'model',
      type: 'model',
      created,
      created_at: createdAt,
      owned_by,
      display_name: id,
    }))
    return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
  }

  app.get('/v1/models', { config: openai }, listModels)
  app.get<{ Params: { '*': string } }>('/v1/models/*', { config: openai }, async (req) => {
    const id = req.params['*']
    const found = (await listModels()).data.find((m) => m.id === id)
    if (!found) throw new GatewayError('not_found', `model '${id}' is not configured`, { code: 'model_not_found' })
    return found
  })
}
