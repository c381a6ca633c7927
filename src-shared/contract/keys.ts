import { type Static, Type } from 'typebox'
import { NoQuerySchema } from './common.js'

/** GET /admin/v1/keys takes no query: every key, masked. */
export const KeysQuerySchema = NoQuerySchema

/** `:name` of /admin/v1/keys/:name and its rotate. */
export const KeyParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }) })
export type KeyParams = Static<typeof KeyParamsSchema>
