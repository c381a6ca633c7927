import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import type { RouteConfig } from '../../config/schema.js'
import type { ConfigStore } from '../../config/store.js'
import { configProblems } from '../../config/validate.js'
import { applying, invalidBody, notFound } from './admin-errors.js'

const RouteParams = Type.Object({
  // No '/': a route named like provider/model would shadow that model.
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', maxLength: 128 }),
})

const routeItem = (name: string, r: RouteConfig) => ({ name, strategy: r.strategy ?? 'fallback', targets: r.targets })

/** /admin/v1/routes: the model aliases of the `routes:` section. */
export function registerRouteAliases(app: FastifyInstance, store: ConfigStore): void {
  app.get('/admin/v1/routes', async () => {
    const items = Object.entries(store.current.raw.routes ?? {}).map(([name, r]) => routeItem(name, r))
    return { items, total: items.length, nextCursor: null }
  })

  app.put<{ Params: Static<typeof RouteParams> }>(
    '/admin/v1/routes/:name',
    { schema: { params: RouteParams } },
    async (req, reply) => {
      const { name } = req.params
      const candidate = structuredClone(store.current.raw)
      candidate.routes = { ...candidate.routes, [name]: req.body as RouteConfig }
      // Checked in place, so targets naming unknown providers are caught too; paths are the body's own.
      const problems = configProblems(candidate)
        .filter((p) => p.path.startsWith(`/routes/${name}`))
        .map((p) => ({ ...p, path: p.path.slice(`/routes/${name}`.length) }))
      if (problems.length > 0) throw invalidBody(problems)
      const existed = Boolean(store.current.raw.routes?.[name])
      applying(() => store.apply(candidate))
      return reply.code(existed ? 200 : 201).send(routeItem(name, req.body as RouteConfig))
    },
  )

  app.delete<{ Params: { name: string } }>('/admin/v1/routes/:name', async (req, reply) => {
    const { name } = req.params
    if (!store.current.raw.routes?.[name]) throw notFound(`no route '${name}' is configured`, 'route_not_found')
    applying(() => store.update((d) => void delete d.routes?.[name]))
    return reply.code(204).send()
  })
}
