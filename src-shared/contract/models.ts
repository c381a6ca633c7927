import type { ListPage } from './common.js'
import type { RouteStrategy } from './routes.js'

/*
 * GET /admin/v1/models (its query: `RoutesQuerySchema`, routes.ts): every `provider/model` the gateway can serve,
 * then the route aliases, as the Providers page and the model pickers read them.
 */

export type ModelItem =
  | { id: string; route: false; provider: string; model: string; contextWindow: number | null }
  | { id: string; route: true; strategy: RouteStrategy; targets: string[] }

export type ModelsAnswer = ListPage<ModelItem>
