import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CancelSignal } from '../../core/cancel.js'
import type { ChatRequest } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { estimatePromptTokens } from '../../core/tokens.js'
import { callTimeouts, transportError } from '../../core/upstream.js'
import type { GatewayContext } from '../../gateway-context.js'
import { admitCount } from '../../pipeline/admission.js'
import { keyNameOf, workspaceOf } from '../../pipeline/call.js'
import { type CallKind, runCall } from '../../pipeline/run-call.js'
import type { CallState, Stage } from '../../pipeline/stage.js'
import { redaction, routing } from '../../pipeline/stages.js'
import type { UpstreamRequest } from '../../providers/types.js'
import { type AttemptJob, tryTargets } from '../../routing/executor.js'
import type { PlannedTarget } from '../../routing/plan.js'
import { fastifyCall } from '../fastify-call.js'
import { scrubUpstreamError } from '../upstream-error-scrub.js'
import { readUpstream } from '../upstream-read.js'
import { anthropicCodec } from './codec.js'

const canCount = (t: PlannedTarget) =>
  !!(t.provider.adapter.countTokensRequest && t.provider.adapter.countTokensResponse)

/**
 * The answers of an upstream that has no count_tokens endpoint (many Anthropic-compatible servers serve
 * /v1/messages only). Not a failure: the upstream is fine and the caller's request too, so nothing is
 * retried or counted against the target's circuit, and the gateway estimates instead.
 */
const NO_COUNT_ENDPOINT = new Set([404, 405, 501])

/**
 * Token counting as the executor tries it on each target that can count: the count, `undefined` when the
 * target has no way to count, or the upstream's error.
 */
function countJob(
  body: Record<string, unknown>,
  canonical: ChatRequest,
  gw: GatewayContext,
  signal: CancelSignal,
): AttemptJob<number | undefined> {
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
      const answer = await readUpstream(gw, provider, upstreamReq, timeouts, signal)
      if (answer instanceof GatewayError) return scrubUpstreamError(answer, ctx)
      const { status, text, headers } = answer
      try {
        if (status < 300) return adapter.countTokensResponse!(JSON.parse(text))
        if (NO_COUNT_ENDPOINT.has(status)) return undefined
        return scrubUpstreamError(adapter.error(status, text, headers), ctx)
      } catch (err) {
        // An answer that does not decode counts as the upstream failing, as a broken connection does.
        return scrubUpstreamError(transportError(provider.id, new URL(ctx.baseUrl).origin, err, timeouts), ctx)
      }
    },
  }
}

/** count_tokens bodies have no max_tokens; the decoder requires one. */
const decoding: Stage = {
  name: 'decoding',
  before(s) {
    s.canonical = anthropicCodec.decodeRequest({ max_tokens: 1, ...s.call.body })
  },
}

/** A count is not a model call: only where the prompt may go is checked (model allow-list, residency). */
const countAdmission: Stage = {
  name: 'admission',
  before(s) {
    s.admitted = admitCount(s.gw, keyNameOf(s.call.identity), s.canonical!.model, workspaceOf(s.call.identity))
  },
}

/**
 * Exact counts where an upstream can count (Anthropic, Gemini), tried with the route's strategy, retries,
 * fallbacks and breakers; otherwise, when the target reached has no count endpoint, or when they all fail,
 * a tokenizer estimate.
 */
async function dispatchCount(state: CallState): Promise<void> {
  const { gw, call, sink, event } = state
  const plan = state.plan!
  const canonical = state.canonical!
  plan.targets = plan.targets.filter(canCount)
  if (plan.targets.length > 0) {
    try {
      const job = countJob(call.body, canonical, gw, call.signal)
      const { res } = await tryTargets(gw, state.admitted!, plan, event, call.signal, job)
      if (res !== undefined) {
        sink.json(JSON.stringify({ input_tokens: res }))
        return
      }
    } catch (err) {
      // A request every counter refused is the caller's to fix; an outage falls back to the estimate.
      if (!(err instanceof GatewayError) || err.status < 500) throw err
    }
  }
  sink.header('x-switchyard-token-count', 'estimated')
  sink.json(JSON.stringify({ input_tokens: await estimatePromptTokens(canonical) }))
}

/**
 * POST /v1/messages/count_tokens. The prompt leaves the machine as a chat call's would: redacted, and only
 * for a provider the key and the route may reach. Not logged; a shutdown waits for it like any other call.
 */
const COUNT_TOKENS: CallKind<ChatRequest> = {
  stages: [redaction, decoding, countAdmission, routing],
  logged: false,
  logsBody: false,
  dispatch: dispatchCount,
}

export function countTokens(gw: GatewayContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const body = (req.body as Record<string, unknown> | undefined) ?? {}
  const { call, sink } = fastifyCall({ dialect: 'anthropic', codec: anthropicCodec, body, req, reply })
  return runCall(gw, call, sink, COUNT_TOKENS)
}
