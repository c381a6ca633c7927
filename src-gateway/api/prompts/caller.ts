import type { FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    /** The virtual key the caller authenticated with, set by key auth when keys are configured. */
    keyName?: string
  }
}

/** Who is calling, for sticky A/B arms: the virtual key, else the request's `user` field, else the client IP. */
export function callerOf(req: FastifyRequest, user: unknown): string {
  if (req.keyName) return `key:${req.keyName}`
  if (typeof user === 'string' && user !== '') return `user:${user}`
  return `ip:${req.ip}`
}
