import type { FastifyInstance } from 'fastify'
import type { ModelItem, ModelsAnswer } from '../../../src-shared/contract/models.js'
import { RoutesQuerySchema } from '../../../src-shared/contract/routes.js'
import { sharedWithAny } from '../../config/workspaces.js'
import type { GatewayContext } from '../../gateway-context.js'
import { visibleWorkspaces } from '../../team/tenancy.js'

/**
 * GET /admin/v1/models: every `provider/model` the gateway can serve, then the route aliases; for a member, those
 * of the providers and routes shared with one of their workspaces.
 */
export function registerModelRoutes(app: FastifyInstance, gw: GatewayContext): void {
  app.get(
    '/admin/v1/models',
    { config: { permission: 'routes:read' }, schema: { querystring: RoutesQuerySchema } },
    async (req): Promise<ModelsAnswer> => {
      const visible = visibleWorkspaces(req.principal)
      const providers = app.gatewayConfig.resolved.providers ?? {}
      const items: ModelItem[] = []
      for (const p of gw.providers.values()) {
        if (!sharedWithAny(providers[p.id]?.workspaces, visible)) continue
        for (const m of gw.catalog.modelsOf(p)) {
          items.push({
            id: `${p.id}/${m.id}`,
            provider: p.id,
            model: m.id,
            contextWindow: m.contextWindow ?? null,
            route: false,
          })
        }
      }
      for (const [name, r] of Object.entries(gw.routes)) {
        if (!sharedWithAny(r.workspaces, visible)) continue
        items.push({
          id: name,
          route: true,
          strategy: r.strategy ?? 'fallback',
          targets: r.targets.map((t) => t.model),
        })
      }
      return { items, total: items.length, nextCursor: null }
    },
  )
}
