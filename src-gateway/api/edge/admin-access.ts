import { hash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { can } from '../../../src-shared/contract/permissions.js'
import { bearerToken, secretDigest } from '../../policies/keys.js'
import { adminTokenPrincipal, type Principal } from '../../team/principal.js'
import { SAFE_METHODS } from './host-check.js'
import type { Sessions } from './sessions.js'

export const SESSION_COOKIE = 'switchyard_session'
/** Sent by the web UI on every call. A cross-site form cannot set a header, and a cross-site fetch that does is preflighted. */
export const CSRF_HEADER = 'x-switchyard-csrf'

/** How a request proves it is the admin; `session-without-csrf` is a live cookie on a state-changing call without the header. */
export type AdminProof = 'token' | 'session' | 'session-without-csrf'

/** Constant-time comparison: hashing first gives both sides the same length. An empty secret matches nothing. */
export function sameSecret(given: string, expected: string): boolean {
  return expected !== '' && timingSafeEqual(secretDigest(given), secretDigest(expected))
}

/** One cookie's value from a `Cookie` header, without a cookie library for one name. */
export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * Team mode's principals (team/team.ts); both answer undefined in solo mode. With the shared Postgres they answer
 * from the instance's copy, and a promise only for a session or token made on another instance a moment ago.
 */
export interface TeamPrincipals {
  sessionPrincipal(id: string): Principal | undefined | Promise<Principal | undefined>
  servicePrincipal(token: string): Principal | undefined | Promise<Principal | undefined>
  mode(): 'solo' | 'team'
}

/** An admin caller: how it proved itself and who it acts as. */
export interface AdminCaller {
  proof: 'token' | 'session'
  principal: Principal
}

/** What callerOf finds: a caller, a session cookie on a state-changing call without the CSRF header, or nobody. */
export type CallerOf = AdminCaller | 'session-without-csrf' | undefined

/**
 * What an admin caller proves on the model APIs (the web UI's Playground): the admin token, or a web UI session whose
 * role may run the Playground (`compare:run`: a viewer's session spends no provider keys). A service account's token
 * proves nothing there: it acts on /admin only, CI calls models with client keys.
 */
export function modelApiProof(caller: CallerOf): AdminProof | undefined {
  if (caller === undefined || caller === 'session-without-csrf') return caller
  if (caller.principal.kind === 'service' || !can(caller.principal, 'compare:run')) return undefined
  return caller.proof
}

export class AdminAccess {
  /** The admin token's digest, worked out once per token rather than on every request that carries a bearer. */
  private tokenDigest: { token: string; digest: Buffer } | undefined

  constructor(
    /** The admin token in force now (see admin-token.ts). */
    readonly token: () => string,
    /** Solo mode's sessions; team mode's are the team's (TeamSessions), under the same cookie name. */
    readonly sessions: Sessions,
    readonly team?: TeamPrincipals,
  ) {}

  /** `sameSecret(given, this.token())`, with the token's half of the work kept between requests. */
  private isAdminToken(given: string): boolean {
    const token = this.token()
    if (token === '') return false
    if (this.tokenDigest?.token !== token) this.tokenDigest = { token, digest: secretDigest(token) }
    // The same SHA-256 as secretDigest in one call: every model call with a bearer comes here, and a Hash
    // object per request cost ~2% of a streamed call's CPU.
    return timingSafeEqual(hash('sha256', given, 'buffer'), this.tokenDigest.digest)
  }

  /**
   * Who a request acts as on /admin: the admin token's owner (solo mode, and team mode's break-glass), a service
   * account's token (team mode), or the signed-in session's principal. Read on every request, so a revoked session
   * or a removed or disabled account is refused on its very next one.
   */
  callerOf(req: FastifyRequest): CallerOf | Promise<CallerOf> {
    const bearer = bearerToken(req.headers)
    if (bearer !== undefined) {
      if (this.isAdminToken(bearer)) return { proof: 'token', principal: adminTokenPrincipal('token') }
      const service = this.team?.servicePrincipal(bearer)
      if (service instanceof Promise) {
        return service.then((s) => (s ? { proof: 'token', principal: s } : this.sessionCaller(req)))
      }
      if (service) return { proof: 'token', principal: service }
    }
    return this.sessionCaller(req)
  }

  private sessionCaller(req: FastifyRequest): CallerOf | Promise<CallerOf> {
    const session = cookieOf(req, SESSION_COOKIE)
    if (session === undefined) return undefined
    if (this.team?.mode() === 'team') {
      const person = this.team.sessionPrincipal(session)
      return person instanceof Promise ? person.then((p) => withCsrf(req, p)) : withCsrf(req, person)
    }
    return withCsrf(req, this.sessions.touch(session) ? adminTokenPrincipal('session') : undefined)
  }

  /** The admin proof a request carries for the model APIs (see modelApiProof). */
  async proofOf(req: FastifyRequest): Promise<AdminProof | undefined> {
    return modelApiProof(await this.callerOf(req))
  }
}

/** A session's caller: a state-changing call counts only with the CSRF header. */
function withCsrf(req: FastifyRequest, principal: Principal | undefined): CallerOf {
  if (!principal) return undefined
  return SAFE_METHODS.has(req.method) || req.headers[CSRF_HEADER] === '1'
    ? { proof: 'session', principal }
    : 'session-without-csrf'
}
