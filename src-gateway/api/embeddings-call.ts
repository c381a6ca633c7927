import type { FastifyReply, FastifyRequest } from 'fastify'
import { CallAbort, type CancelSignal } from '../core/cancel.js'
import type { EmbeddingsRequest, EmbeddingsResponse } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import { endedByGateway } from '../core/in-flight.js'
import type { LogEvent } from '../core/log-event.js'
import { callTimeouts, type Timeouts, transportError, type UpstreamRequest } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import { admit } from '../pipeline/admission.js'
import type { Admission } from '../policies/policies.js'
import { type AttemptJob, tryTargets } from '../routing/executor.js'
import { type PlannedTarget, planRoute } from '../routing/plan.js'
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
      `provider '${provider.id}' (${provider.adapter.descriptor.type}) has no embeddings API`,
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
  const upstreamReq = embeddingsRequest({ ...request, model }, model, provider.ctx)
  const answer = await readUpstream(gw, provider, upstreamReq, callTimeouts(provider.timeouts, false), signal)
  if (answer instanceof GatewayError) throw answer
  onAnswer?.()
  const { status, text, headers } = answer
  if (status >= 300) throw scrubUpstreamError(provider.adapter.error(status, text, headers), provider.ctx)
  return embeddingsResponse(JSON.parse(text), model)
}

/** One embeddings request sent and its body read; a transport failure comes back as its GatewayError. */
async function readUpstream(
  gw: GatewayContext,
  provider: RuntimeProvider,
  upstreamReq: UpstreamRequest,
  timeouts: Timeouts,
  signal: CancelSignal,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string } | GatewayError> {
  const { ctx } = provider
  try {
    const res = await gw.upstreams.send(
      provider.id,
      ctx.baseUrl,
      upstreamReq,
      timeouts,
      signal,
      provider.maxConnections,
    )
    return { status: res.status, headers: res.headers, text: await res.text() }
  } catch (err) {
    return transportError(provider.id, new URL(ctx.baseUrl).origin, err, timeouts)
  }
}

/**
 * Embeddings as the executor tries them on each target: a target whose provider type has no embeddings API
 * is a client error for that target; an answer is its decoded JSON body.
 */
function embeddingsJob(
  gw: GatewayContext,
  request: EmbeddingsRequest,
  event: LogEvent,
  signal: CancelSignal,
  onAnswer: (target: PlannedTarget) => void,
): AttemptJob<EmbeddingsResponse> {
  return {
    limit: (target) => gw.policies.takeProvider(event, target.provider.id, request),
    build(target) {
      const { provider, model } = target
      try {
        return embeddingsApi(provider).embeddingsRequest({ ...request, model }, model, provider.ctx)
      } catch (err) {
        if (err instanceof GatewayError) return err
        throw err
      }
    },
    async send(target, upstreamReq) {
      const { provider, model } = target
      const answer = await readUpstream(gw, provider, upstreamReq, callTimeouts(target.timeouts, false), signal)
      if (answer instanceof GatewayError) return scrubUpstreamError(answer, provider.ctx)
      onAnswer(target)
      const { status, text, headers } = answer
      if (status >= 300) return scrubUpstreamError(provider.adapter.error(status, text, headers), provider.ctx)
      return embeddingsApi(provider).embeddingsResponse(JSON.parse(text), model)
    },
  }
}

/**
 * An embeddings call from any inbound API, with its route's strategy, retries, fallbacks and breakers;
 * logged like every other call, and waited for by a shutdown.
 */
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
  const abort = new CallAbort()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort()
  })
  const settled = gw.inFlight.add(abort)
  let admission: Admission | undefined
  try {
    // Texts to embed leave the machine too. Placeholders cannot be restored in a vector, so they stay.
    const redactor = gw.protection.forCall(event.requestedModel, req.keyName).redactor
    const redacted = body && redactor?.redactBody(body)
    if (redacted) {
      body = redacted.body
      event.redactions = redacted.found
    }
    const request = codec.decode(body)
    const admitted = admit(gw, req.keyName, reply, event, request, body ?? {})
    admission = admitted.admission
    const plan = await planRoute(gw, await resolveModel(admission.model, gw), request, admission.filterTargets)
    event.route = plan.route
    // The provider headers name whichever target answered last, failed or not.
    const answered = (target: PlannedTarget) => {
      reply.header('x-switchyard-provider', target.provider.id).header('x-switchyard-model', target.model)
    }
    const { target, res } = await tryTargets(
      gw,
      admitted,
      plan,
      event,
      abort,
      embeddingsJob(gw, request, event, abort, answered),
    )
    gw.latency.record(target.key, performance.now() - t0)
    event.status = 200
    event.inputTokens = res.usage?.prompt_tokens
    event.outputTokens = 0
    reply.send(codec.encode(res))
  } catch (error) {
    // A call the gateway ended (shutting down) tells its caller why; one whose caller left is a 499.
    const ended = endedByGateway(abort)
    const err = ended ?? toGatewayError(error)
    const clientLeft = abort.aborted && !ended
    event.status = clientLeft ? 499 : err.status
    event.error = clientLeft ? 'aborted' : err.message
    if (!reply.sent) sendError(req, reply, err)
  } finally {
    event.latencyMs = performance.now() - t0
    admission?.settle(event)
    gw.sink.push(event)
    settled()
  }
}
