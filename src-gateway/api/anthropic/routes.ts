import type { FastifyInstance } from 'fastify'
import { estimatePromptTokens } from '../../core/tokens.js'
import type { GatewayContext } from '../../gateway-context.js'
import { resolveModel } from '../../routing/resolve.js'
import { runChat } from '../chat-pipeline.js'
import { sendError } from '../error-handler.js'
import { scrubUpstreamError } from '../upstream-error-scrub.js'
import { anthropicCodec } from './codec.js'

const anthropic = { dialect: 'anthropic' as const }

export function registerAnthropicRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.post('/v1/messages', { config: anthropic }, (req, reply) =>
    runChat(gw, { dialect: 'anthropic', codec: anthropicCodec, body: req.body as Record<string, unknown>, req, reply }),
  )

  // Exact counts where the upstream can count (Anthropic, Gemini); otherwise a tokenizer estimate. The
  // prompt leaves the machine as a chat call's would: redacted, and only for a provider the key and the
  // route may reach.
  app.post('/v1/messages/count_tokens', { config: anthropic }, async (req, reply) => {
    let body = req.body as Record<string, unknown>
    const requested = typeof body.model === 'string' ? body.model : undefined
    const redacted = gw.protection.forCall(requested, req.keyName).redactor?.redactBody(body)
    if (redacted) body = redacted.body
    // count_tokens bodies have no max_tokens; the decoder requires one.
    const canonical = anthropicCodec.decodeRequest({ max_tokens: 1, ...body })
    const allowed = gw.policies.restrictions(req.keyName, canonical.model)
    const { targets } = await resolveModel(canonical.model, gw)
    const { provider, model } = (allowed ? allowed(targets, canonical.model) : targets)[0]
    const { adapter, ctx } = provider
    if (adapter.countTokensRequest && adapter.countTokensResponse) {
      const upstreamReq =
        adapter.passthrough === 'anthropic'
          ? {
              method: 'POST' as const,
              path: '/v1/messages/count_tokens',
              headers: adapter.passthroughHeaders!(ctx),
              body: JSON.stringify({ ...body, model }),
            }
          : adapter.countTokensRequest(canonical, model, ctx)
      const ctrl = new AbortController()
      const res = await gw.upstreams
        .send(provider.id, ctx.baseUrl, upstreamReq, provider.timeouts, ctrl.signal, provider.maxConnections)
        .catch(() => undefined)
      if (res) {
        const text = await res.text()
        if (res.status < 300) return { input_tokens: adapter.countTokensResponse(JSON.parse(text)) }
        if (res.status < 500) {
          return sendError(req, reply, scrubUpstreamError(adapter.error(res.status, text, res.headers), ctx))
        }
      }
    }
    reply.header('x-switchyard-token-count', 'estimated')
    return { input_tokens: await estimatePromptTokens(canonical) }
  })
}
