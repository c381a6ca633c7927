import { createHash, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { GatewayConfig } from '../../config/schema.js'
import { GatewayError } from '../../core/errors.js'

/** The admin tokens in force: config `server.adminToken` (a reference) and env SWITCHYARD_ADMIN_TOKEN. */
export function adminTokens(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  return [config.server?.adminToken, env.SWITCHYARD_ADMIN_TOKEN].filter((t): t is string => !!t)
}

export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address.startsWith('::ffff:127.')
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Constant-time comparison: hashing first gives both sides the same length. */
export function matchesAny(given: string, tokens: string[]): boolean {
  const g = digest(given)
  return tokens.some((t) => timingSafeEqual(g, digest(t)))
}

/**
 * Guards /admin/* when the server is bound beyond loopback: every machine that can reach it could
 * otherwise read logs and change providers. Decided from the bound address, so it holds whoever calls
 * `listen`. Without a token configured there, the admin API is closed rather than open.
 */
export function registerAdminAuth(app: FastifyInstance, tokens: () => string[]): void {
  app.addHook('onRequest', async (req) => {
    // The matched route, not the raw URL: `//admin/…` reaches the same handlers (ignoreDuplicateSlashes).
    if (!req.routeOptions.url?.startsWith('/admin/')) return
    const addr = app.server.address() as AddressInfo | string | null
    if (addr === null || typeof addr === 'string' || isLoopbackAddress(addr.address)) return
    const configured = tokens()
    if (configured.length === 0) {
      throw new GatewayError(
        'permission',
        `the admin API is disabled on ${addr.address}: set SWITCHYARD_ADMIN_TOKEN or server.adminToken to use it beyond this machine`,
        { code: 'admin_token_not_configured' },
      )
    }
    const auth = req.headers.authorization
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined
    if (!given || !matchesAny(given, configured)) {
      throw new GatewayError('authentication', 'the admin API needs Authorization: Bearer <admin token>', {
        code: 'invalid_admin_token',
      })
    }
  })
}
