import { GatewayError } from '../core/errors.js'
import { transportError } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import { resolveModel } from '../routing/resolve.js'

/**
 * One text's embedding from a configured model (the semantic cache's lookups). Goes straight to the
 * model's first target: it is the gateway's own call, not a client's, so it is neither keyed nor logged.
 */
export async function embedText(
  gw: GatewayContext,
  model: string,
  text: string,
  signal: AbortSignal,
): Promise<Float32Array> {
  const { targets } = await resolveModel(model, gw)
  const { provider, model: upstreamModel } = targets[0]
  const { adapter, ctx } = provider
  if (!adapter.embeddingsRequest || !adapter.embeddingsResponse) {
    throw new GatewayError(
      'internal',
      `embedding model '${model}' is served by '${provider.id}', which has no embeddings API`,
    )
  }
  const request = adapter.embeddingsRequest({ model: upstreamModel, input: text }, upstreamModel, ctx)
  let status: number
  let body: string
  try {
    const res = await gw.upstreams.send(provider.id, ctx.baseUrl, request, provider.timeouts, signal)
    status = res.status
    body = await res.body.text().finally(res.done)
    if (status >= 300) throw adapter.error(status, body, res.headers)
  } catch (err) {
    if (err instanceof GatewayError) throw err
    throw transportError(provider.id, new URL(ctx.baseUrl).origin, err, provider.timeouts)
  }
  const vector = adapter.embeddingsResponse(JSON.parse(body), upstreamModel).data[0]?.embedding
  if (!Array.isArray(vector)) throw new GatewayError('upstream', `embedding model '${model}' returned no vector`)
  return Float32Array.from(vector as number[])
}
