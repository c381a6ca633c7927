import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import type { Principal } from '../../team/principal.js'
import { type AdminAccess, type AdminProof, CSRF_HEADER } from '../edge/admin-access.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** How an admin call proved itself: the bearer token or the web UI's session (for the audit trail). */
    adminProof?: AdminProof
    /** Who the call acts as (set by the guard on every /admin request). */
    principal?: Principal
  }
}

/**
 * The admin scope's guard: every route registered in that scope needs the admin token, the web UI's
 * session or (team mode) a service account's token, on every address and for in-process (`inject`) calls alike. Loopback is not trusted: every
 * local process and, through the browser, every web page can reach it. Client keys never count here.
 */
export function registerAdminAuth(scope: FastifyInstance, access: AdminAccess): void {
  scope.addHook('onRequest', async (req) => {
    const caller = await access.callerOf(req)
    if (caller === 'session-without-csrf') {
      throw new GatewayError(
        'authentication',
        `admin changes made with the session cookie need the header ${CSRF_HEADER}: 1`,
        {
          code: 'csrf_header_required',
        },
      )
    }
    if (caller === undefined) {
      throw new GatewayError(
        'authentication',
        'the admin API needs Authorization: Bearer <admin token> (see DATA_DIR/admin-token) or a web UI session',
        { code: 'invalid_admin_token' },
      )
    }
    req.adminProof = caller.proof
    req.principal = caller.principal
  })
}
