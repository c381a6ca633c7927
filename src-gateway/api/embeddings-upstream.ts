import type { CancelSignal } from '../core/cancel.js'
import type { EmbeddingsRequest, EmbeddingsResponse } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { callTimeouts } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import type { AttemptJob } from '../routing/executor.js'
import type { PlannedTarget } from '../routing/plan.js'
import type { RuntimeProvider } from '../routing/providers.js'
import { scrubUpstreamError } from './upstream-error-scrub.js'
import { readUpstream } from './upstream-read.js'

// Embeddings as they are sent upstream: for a client's call (through the executor) and for the gateway's own
// (the semantic cache's lookups). Nothing here knows about stages, so the cache can use it.

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

/**
 * Embeddings as the executor tries them on each target: a target whose provider type has no embeddings API
 * is a client error for that target; an answer is its decoded JSON body.
 */
export function embeddingsJob(
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
