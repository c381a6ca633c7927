import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CancelSignal } from '../core/cancel.js'
import type { EmbeddingsRequest, EmbeddingsResponse } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { callTimeouts, transportError } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import type { Admission } from '../policies/policies.js'
import type { RuntimeProvider } from '../routing/providers.js'
import { resolveModel } from '../routing/resolve.js'
import { sendError, toGatewayError } from './error-handler.js'
import { scrubUpstreamError } from './upstream-error-scrub.js'

/** One inbound API's embeddings format: its body → OpenAI's request shape, OpenAI's reply → its answer. */
export interface EmbeddingsCodec {
  /** Throws GatewayError('invalid_request') with `param` on bad input. */
  decode(body: unknown): EmbeddingsRequest
  encode(res: EmbeddingsResponse): unknown
}

/** The provider's embeddings API; a 400 naming the model when its type has none. */
function embeddingsApi(provider: RuntimeProvider) {
  const { embeddingsRequest, embeddingsResponse } = provider.adapter
  if (!embeddingsRequest || !embeddingsResponse) {
    throw new GatewayError(
      'invalid_request',
      `provider '${provider.id}' (${provider.adapter.type}) has no embeddings API`,
      { param: 'model' },
    )
  }
  return { embeddingsRequest, embeddingsResponse }
}

/**
 * One embeddings request to `provider`, decoded, or thrown as a GatewayError (transport failures name the
 * provider; an upstream error keeps its status). `onAnswer` runs once the upstream answered, whatever the status.
 */
export async function sendEmbeddings(
  gw: GatewayContext,
  provider: RuntimeProvider,
  model: string,
  request: EmbeddingsRequest,
  signal: CancelSignal,
  onAnswer?: () => void,
): Promise<EmbeddingsResponse> {
  const { embeddingsRequest, embeddingsResponse } = embeddingsApi(provider)
  const { adapter, ctx } = provider
  const timeouts = callTimeouts(provider.timeouts, false)
  let text: string
  let status: number
  let headers: Record<string, string | string[] | undefined>
  try {
    const res = await gw.upstreams.send(
      provider.id,
      ctx.baseUrl,
      embeddingsRequest({ ...request, model }, model, ctx),
      timeouts,
      signal,
      provider.maxConnections,
    )
    status = res.status
    headers = res.headers
    text = await res.text()
  } catch (err) {
    throw transportError(provider.id, new URL(ctx.baseUrl).origin, err, timeouts)
  }
  onAnswer?.()
  if (status >= 300) throw scrubUpstreamError(adapter.error(status, text, headers), ctx)
  return embeddingsResponse(JSON.parse(text), model)
}

/** An embeddings call from any inbound API: to the first target of the model's route; logged like every other call. */
export async function runEmbeddingsCall(
  gw: GatewayContext,
  req: FastifyRequest,
  reply: FastifyReply,
  codec: EmbeddingsCodec,
): Promise<void> {
  let body = req.body as Record<string, unknown> | undefined
  const t0 = performance.now()
  const event: LogEvent = {
    requestId: req.id,
    startedAt: Date.now(),
    inboundApi: 'embeddings',
    requestedModel: typeof body?.model === 'string' ? body.model : '',
    status: 0,
    latencyMs: 0,
    stream: false,
    attempts: 0,
  }
  let admitted: Admission | undefined
  try {
    // Texts to embed leave the machine too. Placeholders cannot be restored in a vector, so they stay.
    const redactor = gw.protection.forCall(event.requestedModel, req.keyName).redactor
    const redacted = body && redactor?.redactBody(body)
    if (redacted) {
      body = redacted.body
      event.redactions = redacted.found
    }
    const request = codec.decode(body)
    admitted = gw.policies.admit(req, reply, event, request, body ?? {})
    const resolution = await resolveModel(request.model, gw)
    const targets = admitted.filterTargets?.(resolution.targets, request.model) ?? resolution.targets
    const { provider, model } = targets[0]
    Object.assign(event, { route: resolution.route, provider: provider.id, model, attempts: 1 })
    embeddingsApi(provider)
    const limited = gw.policies.takeProvider(event, provider.id, request)
    if (limited) throw limited
    const ctrl = new AbortController()
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) ctrl.abort()
    })
    const out = await sendEmbeddings(gw, provider, model, request, ctrl.signal, () => {
      reply.header('x-switchyard-provider', provider.id).header('x-switchyard-model', model)
    })
    event.status = 200
    event.inputTokens = out.usage?.prompt_tokens
    event.outputTokens = 0
    reply.send(codec.encode(out))
  } catch (error) {
    const err = toGatewayError(error)
    event.status = err.status
    event.error = err.message
    sendError(req, reply, err)
  } finally {
    event.latencyMs = performance.now() - t0
    admitted?.settle(event)
    gw.sink.push(event)
  }
}
