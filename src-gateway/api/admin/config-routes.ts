import type { FastifyInstance } from 'fastify'
import type { ConfigStore } from '../../config/store.js'
import { applyConfig, type GatewayContext } from '../../gateway-context.js'
import type { PromptStore } from '../../prompts/prompt-store.js'
import { registerConfigTransfer } from './config-transfer.js'
import { registerDiscoveryRoutes } from './discovery-routes.js'
import { registerKeyRoutes } from './keys-routes.js'
import { registerModelRoutes } from './models-routes.js'
import { registerPauseRoutes } from './pause-switch.js'
import { registerPolicyRoutes } from './policies-routes.js'
import { registerProviderRoutes } from './providers-routes.js'
import { registerRouteAliases } from './route-aliases.js'
import { registerSettingsRoutes } from './settings-routes.js'

export interface AdminConfigOptions {
  store: ConfigStore
  dataDir?: string
  /** The prompt library, which export and import carry prompts to and from on request. */
  prompts: PromptStore
  /** Runs right before a valid import is applied: the pre-import backup (see backup/). */
  beforeImport?: () => unknown
}

/**
 * The admin API that edits configuration (providers, keys, routes, settings, policies, import/export, discovery), and
 * the pause switch's routes; registered in the admin scope, whose guard covers them. Every change goes through the
 * ConfigStore, which persists it; here it is applied to the running gateway.
 */
export function registerAdminConfig(app: FastifyInstance, gw: GatewayContext, opts: AdminConfigOptions): void {
  const { store } = opts
  // app.gatewayConfig is kept current once, on the root (server.ts), where every scope reads it.
  store.onApply((config) => applyConfig(gw, config))
  registerPauseRoutes(app)
  registerProviderRoutes(app, gw, store)
  registerKeyRoutes(app, gw, store)
  registerDiscoveryRoutes(app, gw, store)
  registerModelRoutes(app, gw)
  registerRouteAliases(app, store)
  registerConfigTransfer(app, store, opts.prompts, opts.beforeImport)
  registerSettingsRoutes(app, store, opts.dataDir)
  registerPolicyRoutes(app, store)
}
