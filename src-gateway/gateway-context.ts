import type { LoadedConfig } from './config/load.js'
import type { LogSink } from './core/log-event.js'
import { Upstreams } from './core/upstream.js'
import { ModelCatalog } from './routing/catalog.js'
import { buildProviders, type RuntimeProvider } from './routing/providers.js'
import type { ResolverDeps } from './routing/resolve.js'

/** Everything a request handler needs, built once from config. */
export interface GatewayContext extends ResolverDeps {
  providers: Map<string, RuntimeProvider>
  upstreams: Upstreams
  catalog: ModelCatalog
  sink: LogSink
  /** Keep request/response bodies on log events (config `logs.storeBodies`, default on). */
  captureBodies: boolean
}

export function createGatewayContext(config: LoadedConfig, sink: LogSink): GatewayContext {
  const providers = buildProviders(config.resolved)
  const upstreams = new Upstreams()
  return {
    providers,
    upstreams,
    catalog: new ModelCatalog(providers, upstreams),
    routes: config.resolved.routes ?? {},
    sink,
    captureBodies: config.resolved.logs?.storeBodies ?? true,
  }
}
