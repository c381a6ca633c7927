import type { CancelSignal } from '../core/cancel.js'
import { GatewayError } from '../core/errors.js'
import type { GatewayContext } from '../gateway-context.js'
import { resolveModel } from '../routing/resolve.js'
import { sendEmbeddings } from './embeddings-upstream.js'

/**
 * One text's embedding from a configured model (the semantic cache's lookups). Goes straight to the
 * model's first target: it is the gateway's own call, not a client's, so it is neither keyed nor logged.
 */
export async function embedText(
  gw: GatewayContext,
  model: string,
  text: string,
  signal: CancelSignal,
): Promise<Float32Array> {
  const { targets } = await resolveModel(model, gw)
  const { provider, model: upstreamModel } = targets[0]
  const answer = await sendEmbeddings(gw, provider, upstreamModel, { model: upstreamModel, input: text }, signal)
  const vector = answer.data[0]?.embedding
  if (!Array.isArray(vector)) throw new GatewayError('upstream', `embedding model '${model}' returned no vector`)
  return Float32Array.from(vector as number[])
}
