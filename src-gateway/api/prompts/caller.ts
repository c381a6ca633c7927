import type { FastifyRequest } from 'fastify'
import { callerIdentity } from '../../policies/auth-hook.js'

/** Who is calling, for sticky A/B arms: the virtual key, else the request's `user` field, else the client IP. */
export function callerOf(req: FastifyRequest, user: unknown): string {
  const identity = callerIdentity(req)
  if (identity.kind === 'key') return `key:${identity.name}`
  if (typeof user === 'string' && user !== '') return `user:${user}`
  return `ip:${req.ip}`
}
