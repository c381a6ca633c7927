import { type Static, Type } from 'typebox'
import { NoQuerySchema } from './common.js'

/** GET /admin/v1/providers and /admin/v1/providers/discovered take no query. */
export const ProvidersQuerySchema = NoQuerySchema

/** `:id` of /admin/v1/providers/:id and its test. */
export const ProviderParamsSchema = Type.Object({ id: Type.String({ minLength: 1 }) })
export type ProviderParams = Static<typeof ProviderParamsSchema>
