import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type PortalAnswer, type PortalQuery, PortalQuerySchema } from '../../src-shared/contract/portal.js'
import { DEFAULT_WORKSPACE } from '../../src-shared/contract/workspaces.js'
import type { ConfigStore } from '../config/store.js'
import { GatewayError } from '../core/errors.js'
import type { PromptStore } from '../prompts/prompt-store.js'
import { adminTokenPrincipal } from '../team/principal.js'
import { portalView, visibleWorkspaces } from './portal-view.js'

/**
 * The gateway's origin as the caller reached it, for the snippets. The edge's host check (api/edge/host-check.ts)
 * admitted only loopback names and `server.allowedHosts`, so the Host header is one the admin chose.
 */
function originOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`
}

/** GET /admin/v1/portal: what a workspace may call (routes, models, prompt endpoints) and how. */
export function registerPortalRoutes(app: FastifyInstance, store: ConfigStore, prompts: PromptStore | undefined): void {
  app.get<{ Querystring: PortalQuery }>(
    '/admin/v1/portal',
    { config: { permission: 'portal:read' }, schema: { querystring: PortalQuerySchema } },
    async (req): Promise<PortalAnswer> => {
      const cfg = store.current.resolved
      const principal = req.principal ?? adminTokenPrincipal('token')
      const workspaces = visibleWorkspaces(cfg, principal)
      const ws = req.query.workspace ?? workspaces[0]?.id ?? DEFAULT_WORKSPACE
      if (!workspaces.some((w) => w.id === ws)) {
        // The same answer for a workspace that exists and one that does not: ids are not disclosed.
        throw new GatewayError('permission', `workspace '${ws}' is not one of yours`, { code: 'forbidden' })
      }
      return portalView(
        { config: cfg, gw: app.gateway, priceBook: app.requestLog.priceBook, prompts },
        ws,
        workspaces,
        originOf(req),
      )
    },
  )
}
