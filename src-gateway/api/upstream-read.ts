import type { CancelSignal } from '../core/cancel.js'
import type { GatewayError } from '../core/errors.js'
import { type Timeouts, transportError, type UpstreamRequest } from '../core/upstream.js'
import type { GatewayContext } from '../gateway-context.js'
import type { RuntimeProvider } from '../routing/providers.js'

export interface UpstreamAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/**
 * One request sent to `provider` and its whole body read, for the calls whose answer is small and read at
 * once (embeddings, token counts); a transport failure comes back as its GatewayError, naming the provider.
 */
export async function readUpstream(
  gw: GatewayContext,
  provider: RuntimeProvider,
  upstreamReq: UpstreamRequest,
  timeouts: Timeouts,
  signal: CancelSignal,
): Promise<UpstreamAnswer | GatewayError> {
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
