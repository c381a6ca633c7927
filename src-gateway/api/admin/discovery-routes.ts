import type { FastifyInstance } from 'fastify'
import { NoBodySchema } from '../../../src-shared/contract/common.js'
import type { DiscoveredServer, DiscoveryAnswer } from '../../../src-shared/contract/discovery.js'
import { ProvidersQuerySchema } from '../../../src-shared/contract/providers.js'
import type { ConfigStore } from '../../config/store.js'
import { candidateOrigins, discoverLocalServers, type FoundServer } from '../../discovery/discover.js'
import type { GatewayContext } from '../../gateway-context.js'

const SUGGESTED_TYPE = {
  ollama: 'ollama',
  llamacpp: 'llamacpp',
  lmstudio: 'openai-compatible',
  vllm: 'openai-compatible',
  'openai-compatible': 'openai-compatible',
} as const

/** `localhost` and 127.0.0.1 name the same server; compare origins with one spelling. */
function sameServer(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u)
      if (url.hostname === 'localhost') url.hostname = '127.0.0.1'
      return url.origin
    } catch {
      return u
    }
  }
  return norm(a) === norm(b)
}

/**
 * Local model servers found by the last scan, described against the current config: whether a provider
 * already points at each, and an id and type to add it under.
 */
function describeFound(found: FoundServer[], gw: GatewayContext): DiscoveredServer[] {
  const configured = [...gw.providers.values()]
  const taken = new Set(gw.providers.keys())
  return found.map((f) => {
    const port = new URL(f.origin).port
    const suggestedId = taken.has(f.kind) ? `${f.kind}-${port}` : f.kind
    taken.add(suggestedId)
    return {
      kind: f.kind,
      baseUrl: f.baseUrl,
      status: f.status,
      models: f.models,
      configured: configured.some((p) => sameServer(p.ctx.baseUrl, f.origin)),
      suggestedId,
      suggestedType: SUGGESTED_TYPE[f.kind],
    }
  })
}

/**
 * GET /admin/v1/providers/discovered and POST /admin/v1/providers/discover. A scan also runs in the
 * background when the gateway starts (config `discovery.enabled`, default on) and never delays it.
 */
export function registerDiscoveryRoutes(app: FastifyInstance, gw: GatewayContext, store: ConfigStore): void {
  let found: FoundServer[] = []
  let scannedAt: string | null = null
  let running: Promise<void> | undefined
  const stop = new AbortController()

  const scan = () => {
    running ??= discoverLocalServers(candidateOrigins(store.current.resolved.discovery, store.current.env), stop.signal)
      .then((servers) => {
        if (stop.signal.aborted) return
        found = servers
        scannedAt = new Date().toISOString()
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
  const view = (): DiscoveryAnswer => {
    const items = describeFound(found, gw)
    // Whether a scan runs at start, so the UI can tell "nothing found" from "never looked".
    const scanOnStart = store.current.resolved.discovery?.enabled !== false
    return { items, total: items.length, nextCursor: null, scannedAt, scanning: running !== undefined, scanOnStart }
  }

  app.addHook('onReady', async () => {
    if (store.current.resolved.discovery?.enabled !== false) void scan()
  })
  app.addHook('onClose', async () => stop.abort())

  app.get(
    '/admin/v1/providers/discovered',
    { config: { permission: 'providers:read' }, schema: { querystring: ProvidersQuerySchema } },
    async () => view(),
  )
  app.post(
    '/admin/v1/providers/discover',
    { config: { permission: 'providers:write' }, schema: { body: NoBodySchema } },
    async () => {
      await scan()
      return view()
    },
  )
}
