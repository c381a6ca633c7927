import { type Static, Type } from 'typebox'

// GET /admin/v1/info: what the UI's header and status page show. It takes no query (`NoQuerySchema`, common.ts).

/** One configured provider as the header and the status page show it: never a secret. */
export const InfoProviderSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  /** As written in the config: references stay, a plain credential in it is masked; null for the type's default. */
  baseUrl: Type.Union([Type.String(), Type.Null()]),
  /** Whether a key resolved, never the key itself. */
  hasApiKey: Type.Boolean(),
  /** Free and counted as local, as the gateway's pricing rule decides (the provider's `local:` or its type's default). */
  local: Type.Boolean(),
})
export type InfoProvider = Static<typeof InfoProviderSchema>

/** GET /admin/v1/info's answer. */
export const GatewayInfoSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  node: Type.String(),
  startedAt: Type.String(),
  uptimeSeconds: Type.Integer(),
  dataDir: Type.Union([Type.String(), Type.Null()]),
  /** Whether calls are logged (false: `serve --no-log` or no data dir): the UI then says logging is off. */
  logging: Type.Boolean(),
  providers: Type.Array(InfoProviderSchema),
  /** Route names. */
  routes: Type.Array(Type.String()),
})
export type GatewayInfo = Static<typeof GatewayInfoSchema>
