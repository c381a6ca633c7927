import type { FastifyReply, FastifyRequest } from 'fastify'
import { CallAbort, type CancelSignal } from '../../core/cancel.js'
import type { ChatRequest } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { LogEvent } from '../../core/log-event.js'
import { estimatePromptTokens } from '../../core/tokens.js'
import { callTimeouts, transportError } from '../../core/upstream.js'
import type { GatewayContext } from '../../gateway-context.js'
import { admitCount } from '../../pipeline/admission.js'
import type { UpstreamRequest } from '../../providers/types.js'
import { type AttemptJob, tryTargets } from '../../routing/executor.js'
import { type PlannedTarget, planRoute } from '../../routing/plan.js'
import { resolveModel } from '../../routing/resolve.js'
import { sendError } from '../error-handler.js'
import { scrubUpstreamError } from '../upstream-error-scrub.js'
import { anthropicCodec } from './codec.js'

const canCount = (t: PlannedTarget) =>
  !!(t.provider.adapter.countTokensRequest && t.provider.adapter.countTokensResponse)

/** Token counting as the executor tries it on each target that can count: the count, or the upstream's error. */
function countJob(
  body: Record<string, unknown>,
  canonical: ChatRequest,
  gw: GatewayContext,
  signal: CancelSignal,
): AttemptJob<number> {
  return {
    // A count is not a model call: no provider rate limit is taken for it.
    limit: () => undefined,
    build(target): UpstreamRequest {
      const { adapter, ctx } = target.provider
      // An Anthropic upstream gets the client's (redacted) body as is, with only the model replaced.
      return adapter.passthrough === 'anthropic'
        ? {
            method: 'POST',
            path: '/v1/messages/count_tokens',
            headers: adapter.passthroughHeaders!(ctx),
            body: JSON.stringify({ ...body, model: target.model }),
          }
        : adapter.countTokensRequest!(canonical, target.model, ctx)
    },
    async send(target, upstreamReq) {
      const { provider } = target
      const { adapter, ctx } = provider
      const timeouts = callTimeouts(target.timeouts, false)
      try {
        const res = await gw.upstreams.send(
          provider.id,
          ctx.baseUrl,
          upstreamReq,
          timeouts,
          signal,
          provider.maxConnections,
        )
        const text = await res.text()
        if (res.status < 300) return adapter.countTokensResponse!(JSON.parse(text))
        return scrubUpstreamError(adapter.error(res.status, text, res.headers), ctx)
      } catch (err) {
        return scrubUpstreamError(transportError(provider.id, new URL(ctx.baseUrl).origin, err, timeouts), ctx)
      }
    },
  }
}

/**
 * POST /v1/messages/count_tokens. Exact counts where an upstream can count (Anthropic, Gemini), tried with
 * the route's strategy, retries, fallbacks and breakers; otherwise, or when they all fail, a tokenizer
 * estimate. The prompt leaves the machine as a chat call's would: redacted, and only for a provider the key
 * and the route may reach. A shutdown waits for it like any other call.
 */
export async function countTokens(gw: GatewayContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const abort = new CallAbort()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort()
  })
  const settled = gw.inFlight.add(abort)
  try {
    let body = req.body as Record<string, unknown>
    const requested = typeof body.model === 'string' ? body.model : undefined
    const redacted = gw.protection.forCall(requested, req.keyName).redactor?.redactBody(body)
    if (redacted) body = redacted.body
    // count_tokens bodies have no max_tokens; the decoder requires one.
    const canonical = anthropicCodec.decodeRequest({ max_tokens: 1, ...body })
    const admitted = admitCount(gw, req.keyName, canonical.model)
    const plan = await planRoute(
      gw,
      await resolveModel(canonical.model, gw),
      canonical,
      admitted.admission.filterTargets,
    )
    plan.targets = plan.targets.filter(canCount)
    if (plan.targets.length > 0) {
      // The executor records its attempts on an event; a count is not logged, so this one is dropped.
      const event = { attempts: 0 } as LogEvent
      try {
        const { res } = await tryTargets(gw, admitted, plan, event, abort, countJob(body, canonical, gw, abort))
        return { input_tokens: res }
      } catch (err) {
        // A request every counter refused is the caller's to fix; an outage falls back to the estimate.
        if (!(err instanceof GatewayError)) throw err
        if (err.status < 500) return sendError(req, reply, err)
      }
    }
    reply.header('x-switchyard-token-count', 'estimated')
    return { input_tokens: await estimatePromptTokens(canonical) }
  } finally {
    settled()
  }
}
