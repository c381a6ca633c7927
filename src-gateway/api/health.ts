import type { FastifyInstance } from 'fastify'

const OK = '{"status":"ok"}'
const READY = '{"status":"ready"}'

export type BackendState = 'ok' | 'unavailable'

/** The shared backends a gateway is configured with, and whether it may serve while they are down. */
export interface Backends {
  /** Each configured backend's state now; undefined when none is configured. */
  states(): Record<string, BackendState> | undefined
  /** Whether calls are served as configured: every backend reachable, or the policies using it fail open. */
  ready(): boolean
}

/** Several backends as one: each one's states side by side, ready when every one is. */
export function allBackends(...list: (Backends | undefined)[]): Backends | undefined {
  const present = list.filter((b) => b !== undefined)
  if (present.length === 0) return undefined
  return {
    states: () => Object.assign({}, ...present.map((b) => b.states() ?? {})),
    ready: () => present.every((b) => b.ready()),
  }
}

/**
 * GET /health (the process answers; with shared backends configured, which are reachable) and GET /ready (for
 * load balancers: 503 while a backend whose policies fail closed is down). Public like the rest of their
 * scope: they say nothing secret, only `ok` or `unavailable` per backend.
 */
export function registerHealth(app: FastifyInstance, backends?: Backends): void {
  const json = 'application/json; charset=utf-8'
  app.get('/health', (_req, reply) => {
    const states = backends?.states()
    // Without shared backends the body is exactly what it always was: clients compare it.
    reply.header('content-type', json).send(states ? JSON.stringify({ status: 'ok', backends: states }) : OK)
  })
  app.get('/ready', (_req, reply) => {
    if (!backends || backends.ready()) return reply.header('content-type', json).send(READY)
    reply
      .code(503)
      .header('content-type', json)
      .header('cache-control', 'no-store')
      .send(JSON.stringify({ status: 'unavailable', backends: backends.states() ?? {} }))
  })
}
