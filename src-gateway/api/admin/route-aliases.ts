import type { FastifyInstance } from 'fastify'
import {
  type RouteNameParams,
  RouteNameParamsSchema,
  type RouteParams,
  RouteParamsSchema,
  RoutesQuerySchema,
  type RouteUpdateBody,
  RouteUpdateBodySchema,
} from '../../../src-shared/contract/routes.js'
import type { RouteConfig } from '../../config/schema.js'
import type { ConfigStore } from '../../config/store.js'
import { sharedWithAny } from '../../config/workspaces.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import { applying, invalidBody, notFound } from './admin-errors.js'
import { checkUnder } from './candidate-check.js'
import { mergeFields } from './merge-fields.js'

/** The route as the config file holds it, named, with its strategy's default filled in. */
const routeItem = (name: string, r: RouteConfig) => ({ name, ...r, strategy: r.strategy ?? 'fallback' })

/**
 * /admin/v1/routes: the model aliases of the `routes:` section. PUT creates a route or changes the fields its
 * body gives (see mergeFields): a form that shows only the targets leaves the route's other settings as they are.
 */
export function registerRouteAliases(app: FastifyInstance, store: ConfigStore): void {
  app.get(
    '/admin/v1/routes',
    { config: { permission: 'routes:read' }, schema: { querystring: RoutesQuerySchema } },
    async (req) => {
      // A member lists the routes shared with one of their workspaces only.
      const visible = visibleWorkspaces(req.principal)
      const items = Object.entries(store.current.raw.routes ?? {})
        .filter(([, r]) => sharedWithAny(r.workspaces, visible))
        .map(([name, r]) => routeItem(name, r))
      return { items, total: items.length, nextCursor: null }
    },
  )

  app.put<{ Params: RouteNameParams; Body: RouteUpdateBody }>(
    '/admin/v1/routes/:name',
    { config: { permission: 'routes:write' }, schema: { params: RouteNameParamsSchema, body: RouteUpdateBodySchema } },
    async (req, reply) => {
      const { name } = req.params
      const { name: named, ...fields } = req.body
      if (named !== undefined && named !== name) {
        throw invalidBody([
          { path: '/name', message: `does not match the route in the URL ('${name}'); routes cannot be renamed` },
        ])
      }
      const candidate = structuredClone(store.current.raw)
      const route = mergeFields(candidate.routes?.[name], fields) as RouteConfig
      candidate.routes = { ...candidate.routes, [name]: route }
      // Checked in place, so targets naming unknown providers are caught too; paths are the body's own.
      checkUnder(candidate, `/routes/${name}`)
      const existed = Boolean(store.current.raw.routes?.[name])
      applying(() => store.apply(candidate))
      return reply.code(existed ? 200 : 201).send(routeItem(name, route))
    },
  )

  app.delete<{ Params: RouteParams }>(
    '/admin/v1/routes/:name',
    { config: { permission: 'routes:write' }, schema: { params: RouteParamsSchema } },
    async (req, reply) => {
      const { name } = req.params
      if (!store.current.raw.routes?.[name]) throw notFound(`no route '${name}' is configured`, 'route_not_found')
      applying(() => store.update((d) => void delete d.routes?.[name]))
      return reply.code(204).send()
    },
  )
}
