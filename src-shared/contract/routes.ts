import { type Static, Type } from 'typebox'
import { NoQuerySchema } from './common.js'

/** GET /admin/v1/routes and /admin/v1/models take no query. */
export const RoutesQuerySchema = NoQuerySchema

/** `:name` of PUT /admin/v1/routes/:name. No '/': a route named like provider/model would shadow that model. */
export const RouteNameParamsSchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', maxLength: 128 }),
})
export type RouteNameParams = Static<typeof RouteNameParamsSchema>

/** `:name` of DELETE /admin/v1/routes/:name: any name, so one that cannot exist is a 404. */
export const RouteParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }) })
export type RouteParams = Static<typeof RouteParamsSchema>
