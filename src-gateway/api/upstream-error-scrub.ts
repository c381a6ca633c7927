import { credentialValues } from '../config/secret-fields.js'
import type { GatewayError } from '../core/errors.js'
import type { ProviderContext } from '../providers/types.js'
import { createTextScrubber } from '../store/body-scrub.js'

/**
 * An upstream's error text with the provider's own credentials (exact values) and anything shaped like
 * a key taken out: a 401 often quotes the key it refused. The log rows' scrubber, built per error since
 * errors are rare and a provider's credentials few.
 */
export function scrubUpstreamText(text: string, ctx: ProviderContext): string {
  const values = credentialValues({
    providers: { p: { type: 'openai', baseUrl: ctx.baseUrl, apiKey: ctx.apiKey, headers: ctx.headers } },
  })
  return createTextScrubber(values)(text)
}

/** The same error, its message scrubbed before any client, log row or admin view sees it. */
export function scrubUpstreamError(err: GatewayError, ctx: ProviderContext): GatewayError {
  err.message = scrubUpstreamText(err.message, ctx)
  return err
}
