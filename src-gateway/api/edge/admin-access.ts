import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { bearerToken, secretDigest } from '../../policies/keys.js'
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

export class AdminAccess {
  constructor(
    /** The admin token in force now (see admin-token.ts). */
    readonly token: () => string,
    readonly sessions: Sessions,
  ) {}

  /** The admin proof a request carries, if any: the bearer token, or the web UI's session cookie. */
  proofOf(req: FastifyRequest): AdminProof | undefined {
    const bearer = bearerToken(req.headers)
    if (bearer !== undefined && sameSecret(bearer, this.token())) return 'token'
    const session = cookieOf(req, SESSION_COOKIE)
    if (session === undefined || !this.sessions.touch(session)) return undefined
    return SAFE_METHODS.has(req.method) || req.headers[CSRF_HEADER] === '1' ? 'session' : 'session-without-csrf'
  }
}
