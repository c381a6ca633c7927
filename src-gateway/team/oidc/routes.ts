import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import * as oidc from 'openid-client'
import { cookieOf, sameSecret } from '../../api/edge/admin-access.js'
import type { OidcConfig } from '../../config/oidc-schema.js'
import type { Team } from '../team.js'
import { EmailTakenError } from '../team-store.js'
import { claimValues, DEFAULT_CLAIM, mapClaims } from './claims.js'
import { ProviderDiscovery } from './discovery.js'
import { FLOW_TTL_MS, PendingFlows } from './pending-flows.js'

const DEFAULT_SCOPES = 'openid email profile'
const FLOW_COOKIE = 'switchyard_oidc_flow'
const FLOW_PATH = '/auth/oidc'
const CALLBACK_PATH = `${FLOW_PATH}/callback`
const MAX_EMAIL = 254
const MAX_NAME = 128

/** Why a single sign-on ended on the sign-in page (`/?signin=sso-failed&reason=…`), which words each for people. */
export type SsoFailure =
  | 'not_configured'
  | 'provider_unreachable'
  | 'expired'
  | 'state_mismatch'
  | 'idp_error'
  | 'invalid_response'
  | 'no_email'
  | 'email_unverified'
  | 'email_taken'
  | 'no_role'
  | 'account_disabled'

/**
 * The flow cookie. SameSite=Lax, not Strict like the session's: the provider sends the browser back to the
 * callback with a cross-site navigation, which carries Lax cookies (top-level GET) and never Strict ones, so a
 * Strict flow cookie would never arrive. It holds only a random id, scoped to /auth/oidc, expiring with the flow.
 */
const flowCookie = (value: string, maxAgeS: number, secure: boolean) =>
  `${FLOW_COOKIE}=${value}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax; Path=${FLOW_PATH}${secure ? '; Secure' : ''}`

const scopesOf = (cfg: OidcConfig) => {
  const scopes = (cfg.scopes ?? DEFAULT_SCOPES).split(' ')
  return (scopes.includes('openid') ? scopes : ['openid', ...scopes]).join(' ')
}

const text = (v: unknown, max: number) =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined

/** The reason a failed code exchange gives; only the library's error code is logged, never its parameters. */
function failureOf(err: unknown): SsoFailure {
  if (err instanceof oidc.AuthorizationResponseError) return 'idp_error'
  if (err instanceof TypeError || (err as { name?: string }).name === 'TimeoutError') return 'provider_unreachable'
  return 'invalid_response'
}

/**
 * GET /auth/oidc/start and /auth/oidc/callback: OpenID Connect sign-in (authorization code with PKCE S256,
 * state and nonce; the ID token is validated by openid-client). The person's account is made or updated from
 * the claims on every sign-in (TeamStore.ssoAccount) and a team session opened. Every failure lands on the
 * sign-in page with a reason code: never an error body, and never a token in a log.
 */
export function registerOidcRoutes(scope: FastifyInstance, team: Team, opts: { clock?: () => number } = {}): void {
  const flows = new PendingFlows(opts.clock)
  const discovery = new ProviderDiscovery()
  const configured = () => (team.mode() === 'team' ? scope.gatewayConfig.resolved.auth?.oidc : undefined)

  const fail = async (req: FastifyRequest, reply: FastifyReply, reason: SsoFailure, err?: unknown, email?: string) => {
    // A provider that is not set up or not reachable is no one's sign-in attempt; the rest are.
    if (reason !== 'not_configured' && reason !== 'provider_unreachable') {
      await team.audit.failed(req, email, `sso_${reason}`)
    }
    req.log.warn(
      { reason, error: err && { name: (err as Error).name, code: (err as { code?: unknown }).code } },
      'single sign-on failed',
    )
    return reply.header('cache-control', 'no-store').redirect(`/?signin=sso-failed&reason=${reason}`, 302)
  }

  // No HEAD twins: a link preview must neither start flows nor spend one. Logged from `warn` up only: the
  // request lines Fastify writes at `info` would carry the callback's code and state in their URL.
  const routeOpts = { exposeHeadRoute: false, logLevel: 'warn' } as const
  scope.get(`${FLOW_PATH}/start`, routeOpts, async (req, reply) => {
    const cfg = configured()
    if (!cfg) return fail(req, reply, 'not_configured')
    let config: oidc.Configuration
    try {
      config = await discovery.configuration(cfg)
    } catch (err) {
      return fail(req, reply, 'provider_unreachable', err)
    }
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    // The Host was checked against server.allowedHosts before any route ran, so it cannot name another site.
    const redirectUri = cfg.redirectUrl ?? `${req.protocol}://${req.host}${CALLBACK_PATH}`
    const id = flows.add({ state, nonce, codeVerifier, redirectUri, issuer: cfg.issuer, address: req.ip })
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: scopesOf(cfg),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    return reply
      .header('set-cookie', flowCookie(id, FLOW_TTL_MS / 1000, req.protocol === 'https'))
      .header('cache-control', 'no-store')
      .redirect(url.href, 302)
  })

  scope.get(CALLBACK_PATH, routeOpts, async (req, reply) => {
    reply.header('set-cookie', flowCookie('', 0, req.protocol === 'https'))
    const id = cookieOf(req, FLOW_COOKIE)
    // Taken at once: whatever happens next, this callback URL cannot be used again.
    const flow = id ? flows.take(id) : undefined
    const cfg = configured()
    if (!flow || !cfg || cfg.issuer !== flow.issuer) return fail(req, reply, 'expired')
    const state = (req.query as { state?: unknown }).state
    if (typeof state !== 'string' || !sameSecret(state, flow.state)) return fail(req, reply, 'state_mismatch')

    let claims: Record<string, unknown>
    let issuer: string
    try {
      const config = await discovery.configuration(cfg)
      issuer = config.serverMetadata().issuer
      const current = new URL(flow.redirectUri)
      current.search = new URL(req.url, 'http://callback').search
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      })
      const idClaims = tokens.claims()
      if (!idClaims) return fail(req, reply, 'invalid_response')
      claims = { ...idClaims }
      // Providers that issue an access token often keep profile and group claims for userinfo (OpenID Connect
      // Core 5.4); the ID token's own claims win.
      const wanted = cfg.claim ?? DEFAULT_CLAIM
      if ((claims[wanted] === undefined || claims.email === undefined) && tokens.access_token) {
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...idClaims }
      }
    } catch (err) {
      if (!(err instanceof oidc.AuthorizationResponseError)) discovery.forget()
      return fail(req, reply, failureOf(err), err)
    }

    const email = text(claims.email, MAX_EMAIL)?.toLowerCase()
    if (!email) return fail(req, reply, 'no_email')
    // An unverified address must not become an account's identity: someone else may own it.
    if (claims.email_verified === false) return fail(req, reply, 'email_unverified', undefined, email)
    const mapped = mapClaims(cfg, claimValues(claims, cfg.claim ?? DEFAULT_CLAIM))
    if (!mapped) return fail(req, reply, 'no_role', undefined, email)
    const name = text(claims.name, MAX_NAME) ?? text(claims.preferred_username, MAX_NAME) ?? email
    let account: Awaited<ReturnType<Team['store']['ssoAccount']>>
    try {
      account = await team.store.ssoAccount({ issuer, subject: String(claims.sub), email, name, ...mapped })
    } catch (err) {
      // A new account, or an address changed at the provider, that a local account already has.
      const unique = (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE'
      if (err instanceof EmailTakenError || unique) return fail(req, reply, 'email_taken', err, email)
      throw err
    }
    if (account.disabled) return fail(req, reply, 'account_disabled', undefined, email)
    await team.signIn(reply, account.id, 'sso')
    return reply.header('cache-control', 'no-store').redirect('/', 302)
  })
}
