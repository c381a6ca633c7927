import type { FastifyInstance } from 'fastify'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySink, type LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway, type GatewayDeps } from '../../src-gateway/server.js'

export interface TestGateway {
  app: FastifyInstance
  url: string
  events: LogEvent[]
  /** The gateway's admin token (random per gateway: no data dir). */
  adminToken: string
  /** `Authorization: Bearer <admin token>`, to spread into a request's headers. */
  adminHeaders: Record<string, string>
  /** fetch on `url + path` as the admin: the admin token added to `init`'s headers. */
  admin(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** The admin token of gateways whose config env carries `ADMIN_ENV` (for tests that start several). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'
export const ADMIN_ENV = { SWITCHYARD_ADMIN_TOKEN: TEST_ADMIN_TOKEN }

/** fetch with `Authorization: Bearer TEST_ADMIN_TOKEN` added to `init`'s headers. */
export function fetchAsAdmin(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  })
}

/** `Authorization: Bearer <the app's admin token>`, for tests that build the gateway themselves. */
export function adminHeadersOf(app: FastifyInstance): Record<string, string> {
  return { authorization: `Bearer ${app.adminToken}` }
}

/** fetch with the app's admin token added to `init`'s headers. */
export function adminFetch(app: FastifyInstance, url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...adminHeadersOf(app) } })
}

/** Builds the gateway from YAML, listens on a free loopback port, and records log events in memory. */
export async function startGateway(
  yaml: string,
  env: NodeJS.ProcessEnv = {},
  context?: GatewayDeps['context'],
): Promise<TestGateway> {
  const sink = createMemorySink()
  const app = buildGateway(parseConfig(yaml, 'yaml', env), { webRoot: false, sink, context })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    app,
    url,
    events: sink.events,
    adminToken: app.adminToken,
    adminHeaders: adminHeadersOf(app),
    admin: (path, init) => adminFetch(app, `${url}${path}`, init),
    close: () => app.close(),
  }
}

/** Waits until `n` log events exist (streams log when they finish, just after the client sees the end). */
export async function waitForEvents(gw: TestGateway, n: number, timeoutMs = 2000): Promise<LogEvent[]> {
  const until = Date.now() + timeoutMs
  while (gw.events.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
  return gw.events
}
