import { NoQuerySchema } from './common.js'

/** GET /admin/v1/settings and GET /admin/v1/gateway (the pause switch) take no query. */
export const SettingsQuerySchema = NoQuerySchema
