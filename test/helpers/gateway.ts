import type { FastifyInstance } from 'fastify'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySink, type LogEvent } from '../../src-gateway/core/log-event.js'
import { buildGateway, type GatewayDeps } from '../../src-gateway/server.js'

export interface TestGateway {
  app: FastifyInstance
  url: string
  events: LogEvent[]
  close(): Promise<void>
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
  return { app, url, events: sink.events, close: () => app.close() }
}

/** Waits until `n` log events exist (streams log when they finish, just after the client sees the end). */
export async function waitForEvents(gw: TestGateway, n: number, timeoutMs = 2000): Promise<LogEvent[]> {
  const until = Date.now() + timeoutMs
  while (gw.events.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
  return gw.events
}
