// GET /admin/v1/provider-types: the provider types the gateway knows, as its provider registry states them
// (src-gateway/providers/registry.ts). The UI's provider form is built from this answer, so a new type
// needs no renderer change.

import { type Static, Type } from 'typebox'

export const ProviderTypeInfoSchema = Type.Object({
  /** The config's `type:` value. */
  type: Type.String(),
  label: Type.String(),
  /** Used when a provider sets no `baseUrl`. */
  defaultBaseUrl: Type.String(),
  /** Each account has its own endpoint: `defaultBaseUrl` only shows its form, a provider must set one. */
  baseUrlRequired: Type.Boolean(),
  /** Free and counted local unless the provider's `local:` says otherwise; `when loopback`: at a loopback URL. */
  locality: Type.Union([Type.Literal('local'), Type.Literal('cloud'), Type.Literal('when loopback')]),
  keyRequired: Type.Boolean(),
  /** How the key is sent: `bearer`, `x-api-key`, `api-key`, `x-goog-api-key`. */
  auth: Type.String(),
  /** What the upstream API offers besides chat. */
  capabilities: Type.Object({
    embeddings: Type.Boolean(),
    /** The gateway can list the upstream's models (else they come from the provider's `models:`). */
    modelListing: Type.Boolean(),
    countTokens: Type.Boolean(),
  }),
  /** The type's own provider settings, beyond the common ones (edited in the config file). */
  settings: Type.Array(Type.String()),
  hint: Type.Optional(Type.String()),
})

export const ProviderTypesAnswerSchema = Type.Object({ items: Type.Array(ProviderTypeInfoSchema) })

export type ProviderTypeInfo = Static<typeof ProviderTypeInfoSchema>
export type ProviderTypesAnswer = Static<typeof ProviderTypesAnswerSchema>
