import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import { parseJsonBody } from '../../core/json-body.js'
import type { GatewayContext } from '../../gateway-context.js'
import { keyNameOf, workspaceOf } from '../../pipeline/call.js'
import { callerIdentity } from '../../policies/auth-hook.js'
import { resolveModel } from '../../routing/resolve.js'
import { runEmbeddingsCall } from '../embeddings-call.js'
import { runChat } from '../fastify-call.js'
import { createOllamaCodec } from './codec.js'
import { isLoadRequest } from './decode-request.js'
import { ollamaEmbed, ollamaLegacyEmbeddings } from './embeddings.js'
import { listTags, type MayList, showModel } from './model-listing.js'
import type { OllamaEndpoint } from './reply-shape.js'
import { listRunning } from './running-models.js'

const ollama = { dialect: 'ollama' as const }

/** A plain numeric version past every client's gate (Copilot wants at least 0.6.4; Open WebUI parses dotted ints). */
const OLLAMA_VERSION = { version: '0.12.0' }

/** Model management belongs to a real Ollama server; here models come from Switchyard's config. */
const MANAGEMENT: readonly ['POST' | 'DELETE', string][] = [
  ['POST', '/api/push'],
  ['POST', '/api/create'],
  ['POST', '/api/copy'],
  ['DELETE', '/api/delete'],
  ['POST', '/api/blobs/:digest'],
]

type Body = Record<string, unknown>

function modelName(body: unknown): string {
  const b = (body ?? {}) as Body
  const name = b.model ?? b.name
  if (typeof name !== 'string' || name === '') {
    throw new GatewayError('invalid_request', "'model' is required and must be a string", { param: 'model' })
  }
  return name
}

async function runOllamaChat(gw: GatewayContext, endpoint: OllamaEndpoint, req: FastifyRequest, reply: FastifyReply) {
  const t0 = performance.now()
  const body = (req.body ?? {}) as Body
  if (isLoadRequest(body, endpoint)) return loadReply(gw, endpoint, body)
  // Ollama streams unless told not to; the pipeline reads `stream` from the body.
  const streamed = { ...body, stream: body.stream !== false }
  return runChat(gw, { dialect: 'ollama', codec: createOllamaCodec(endpoint, t0), body: streamed, req, reply })
}

/** Clients "load" a model with an empty prompt before using it: say it is ready if it can be served. */
async function loadReply(gw: GatewayContext, endpoint: OllamaEndpoint, body: Body) {
  const model = modelName(body)
  await resolveModel(model, gw)
  const empty = endpoint === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }
  return { model, created_at: new Date().toISOString(), ...empty, done: true, done_reason: 'load' }
}

export function registerOllamaRoutes(scope: FastifyInstance, gw: GatewayContext): void {
  // Ollama reads the body as JSON whatever its content type, and its clients rely on it (curl's `-d` sends
  // form encoding). A scope of their own keeps that rule off the other APIs' routes.
  scope.register(async (app) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody)
    registerRoutes(app, gw)
  })
}

function registerRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.get('/api/version', { config: ollama }, async () => OLLAMA_VERSION)
  // A key lists only what it may call (its model globs and its workspace), the UI what its workspace shares, as on
  // /v1/models.
  const mayListFor = (req: FastifyRequest): MayList => {
    const identity = callerIdentity(req)
    const keyName = keyNameOf(identity)
    const workspace = workspaceOf(identity)
    return (model) => gw.policies.mayList(keyName, model, workspace)
  }
  app.get('/api/tags', { config: ollama }, async (req) => listTags(gw, app.startedAt, mayListFor(req)))
  app.post('/api/show', { config: ollama }, (req) => showModel(gw, modelName(req.body), app.startedAt, mayListFor(req)))
  app.get('/api/ps', { config: ollama }, async (req) => {
    const mayList = mayListFor(req)
    const { models } = await listRunning(gw)
    return { models: models.filter((m) => mayList(String(m.name))) }
  })
  app.post('/api/chat', { config: ollama }, (req, reply) => runOllamaChat(gw, 'chat', req, reply))
  app.post('/api/generate', { config: ollama }, (req, reply) => runOllamaChat(gw, 'generate', req, reply))
  // An embeddings call names its dialect's chat codec like any call (its errors are in Ollama's format).
  const dialect = () => ({ dialect: 'ollama' as const, codec: createOllamaCodec('chat', performance.now()) })
  app.post('/api/embed', { config: ollama }, (req, reply) => runEmbeddingsCall(gw, req, reply, ollamaEmbed, dialect()))
  app.post('/api/embeddings', { config: ollama }, (req, reply) =>
    runEmbeddingsCall(gw, req, reply, ollamaLegacyEmbeddings, dialect()),
  )

  // `codex --oss` pulls its model before use: a model the gateway can serve is "already pulled".
  app.post('/api/pull', { config: ollama }, async (req, reply) => {
    await resolveModel(modelName(req.body), gw)
    if ((req.body as Body).stream === false) return { status: 'success' }
    return reply.type('application/x-ndjson').send('{"status":"success"}\n')
  })
  for (const [method, url] of MANAGEMENT) {
    app.route({
      method,
      url,
      config: ollama,
      handler: async () => {
        throw new GatewayError(
          'invalid_request',
          `${url} is not supported by Switchyard: models come from its config`,
          {
            status: 501,
          },
        )
      },
    })
  }
}
