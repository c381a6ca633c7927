import type { OidcConfig } from '../../config/oidc-schema.js'

export const DEFAULT_SSO_LABEL = 'Sign in with SSO'

/**
 * What GET /auth/session says about single sign-on: the button's label when team mode is on and `auth.oidc`
 * is configured, else null. Read from the live config, so turning SSO on or off needs no restart.
 */
export function ssoButton(mode: 'solo' | 'team', cfg: OidcConfig | undefined): { label: string } | null {
  return mode === 'team' && cfg ? { label: cfg.label ?? DEFAULT_SSO_LABEL } : null
}
