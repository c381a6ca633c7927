import { type Static, Type } from 'typebox'
import { ListPageSchema, OrNull } from './common.js'
import { RouteSchema } from './routes.js'

/*
 * GET /admin/v1/models (its query: `RoutesQuerySchema`, routes.ts): every `provider/model` the gateway can serve,
 * then the route aliases, as the Providers page and the model pickers read them.
 */

export const ModelItemSchema = Type.Union([
  Type.Object({
    id: Type.String(),
    route: Type.Literal(false),
    provider: Type.String(),
    model: Type.String(),
    contextWindow: OrNull(Type.Integer()),
  }),
  Type.Object({
    id: Type.String(),
    route: Type.Literal(true),
    strategy: Type.Index(RouteSchema, ['strategy']),
    /** The targets' `provider/model` names. */
    targets: Type.Array(Type.String()),
  }),
])
export type ModelItem = Static<typeof ModelItemSchema>

export const ModelsAnswerSchema = ListPageSchema(ModelItemSchema)
export type ModelsAnswer = Static<typeof ModelsAnswerSchema>
