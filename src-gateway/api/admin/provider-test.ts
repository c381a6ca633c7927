import type { ProviderTestResult } from '../../../src-shared/contract/providers.js'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
import type { RuntimeProvider } from '../../routing/providers.js'
import { scrubUpstreamText } from '../upstream-error-scrub.js'

const CHAT_TIMEOUT_MS = 15_000

/** Sends the smallest possible chat (one token) and returns the upstream's error message, if any. */
async function pingChat(gw: GatewayContext, p: RuntimeProvider, model: string): Promise<string | null> {
  const req = p.adapter.chatRequest(
    { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false },
    model,
    p.ctx,
  )
  const timeouts = { ...p.timeouts, firstByteMs: CHAT_TIMEOUT_MS, totalMs: CHAT_TIMEOUT_MS }
  try {
    const signal = AbortSignal.timeout(CHAT_TIMEOUT_MS)
    const res = await gw.upstreams.send(p.id, p.ctx.baseUrl, req, timeouts, signal, p.maxConnections)
    const text = await res.text()
    return res.status >= 400 ? p.adapter.error(res.status, text, res.headers).message : null
  } catch (err) {
    return err instanceof GatewayError ? err.message : `request failed: ${(err as Error).message}`
  }
}

/**
 * Checks a provider the way a user would: list its models (which also refreshes the catalog), and
 * when a model is named, send it a one-token chat. Errors come back as data, never thrown.
 */
export async function testProvider(
  gw: GatewayContext,
  p: RuntimeProvider,
  model?: string,
): Promise<ProviderTestResult> {
  const started = performance.now()
  await gw.catalog.refresh(p)
  let error = gw.catalog.listingError(p.id) ?? null
  if (model) error = await pingChat(gw, p, model)
  return {
    ok: error === null,
    latencyMs: Math.round(performance.now() - started),
    models: gw.catalog.modelsOf(p).map((m) => m.id),
    // As the admin sees it: the upstream's text without the credentials it may quote.
    error: error === null ? null : scrubUpstreamText(error, p.ctx),
  }
}
