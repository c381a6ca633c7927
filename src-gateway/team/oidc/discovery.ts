import { createHash } from 'node:crypto'
import * as oidc from 'openid-client'
import { isLoopbackHostname } from '../../api/edge/host-check.js'
import type { OidcConfig } from '../../config/oidc-schema.js'

/** Longest wait for the provider's metadata, token and userinfo answers, in seconds. */
const PROVIDER_TIMEOUT_S = 10

/**
 * The provider's metadata, read once per issuer and client and kept; a failed discovery is not kept, and a
 * failed sign-in drops it (`forget`), so a provider that moved its endpoints or keys is read afresh.
 */
export class ProviderDiscovery {
  private cached: { key: string; config: Promise<oidc.Configuration> } | undefined

  configuration(cfg: OidcConfig): Promise<oidc.Configuration> {
    // The secret takes part (a rotated one must be used) only as a digest: the key is compared, never shown.
    const key = createHash('sha256')
      .update(JSON.stringify([cfg.issuer, cfg.clientId, cfg.clientSecret]))
      .digest('hex')
    if (this.cached?.key !== key) {
      const config = discover(cfg)
      const entry = { key, config }
      this.cached = entry
      config.catch(() => {
        if (this.cached === entry) this.cached = undefined
      })
    }
    return this.cached.config
  }

  forget(): void {
    this.cached = undefined
  }
}

function discover(cfg: OidcConfig): Promise<oidc.Configuration> {
  const issuer = new URL(cfg.issuer)
  // Plain http only to a provider on this machine (a local Keycloak, the tests' provider): anywhere else the
  // code and tokens would cross the network readable.
  const local = issuer.protocol === 'http:' && isLoopbackHostname(issuer.hostname)
  const auth = cfg.clientSecret ? oidc.ClientSecretBasic(cfg.clientSecret) : oidc.None()
  return oidc.discovery(issuer, cfg.clientId, undefined, auth, {
    timeout: PROVIDER_TIMEOUT_S,
    execute: local ? [oidc.allowInsecureRequests] : [],
  })
}
