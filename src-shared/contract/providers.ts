import { type Static, Type } from 'typebox'
import { MergeFields, NoQuerySchema } from './common.js'
import { TimeoutsSchema } from './routes.js'
import { WorkspaceListSchema } from './workspaces.js'

/** GET /admin/v1/providers and /admin/v1/providers/discovered take no query. */
export const ProvidersQuerySchema = NoQuerySchema

/** `:id` of /admin/v1/providers/:id and its test. */
export const ProviderParamsSchema = Type.Object({ id: Type.String({ minLength: 1 }) })
export type ProviderParams = Static<typeof ProviderParamsSchema>

/**
 * Azure OpenAI's own provider settings (type `azure-openai`): its provider folder declares them to the registry,
 * so the config file and the admin API accept them, on that type only.
 */
export const AzureOpenAISettingsFields = {
  /** Model name → deployment name, for deployments named otherwise than their model. */
  deployments: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }))),
  /** The dated API version (`2024-10-21`, `2025-04-01-preview`…), or `v1` for the version-less v1 API. */
  apiVersion: Type.Optional(Type.String({ pattern: '^(v1|\\d{4}-\\d{2}-\\d{2}(-preview)?)$' })),
}

/**
 * Ollama's own provider settings (type `ollama`): the `options.num_ctx` the gateway asks for, which it sizes
 * to each request, kept within `min` and `max` (the gateway's providers/ollama/num-ctx.ts).
 */
export const OllamaSettingsFields = {
  numCtx: Type.Optional(
    Type.Object(
      {
        /** Never ask for less (spares model reloads as a conversation grows; keeps a large server default). */
        min: Type.Optional(Type.Integer({ minimum: 1 })),
        /** Never ask for more (memory); a longer prompt gets the caller's "too long" error instead. */
        max: Type.Optional(Type.Integer({ minimum: 1 })),
      },
      { additionalProperties: false },
    ),
  ),
}

/** The upstream's own rate limits, kept by the gateway so a target over them is skipped instead of called. */
const ProviderLimitsSchema = Type.Object(
  { rpm: Type.Optional(Type.Integer({ minimum: 1 })), tpm: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
)

/** A provider as the config file's `providers:` section holds it (keyed by its id). */
export const ProviderSchema = Type.Object(
  {
    /** One of GET /admin/v1/provider-types' types: the gateway's provider registry is the list (and checks it). */
    type: Type.String({ minLength: 1 }),
    baseUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    /** A secret: write it as `${env:NAME}` (the admin API stores a given key as `${secret:…}`). */
    apiKey: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** Models this provider serves, for bare-name addressing when the upstream cannot list them. */
    models: Type.Optional(Type.Array(Type.String())),
    timeouts: Type.Optional(TimeoutsSchema),
    /** Upper bound on concurrent upstream connections. */
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
    /**
     * Whether it runs on hardware you own: its calls cost nothing and count as local in Overview. Defaults
     * by type (its descriptor's `locality`): ollama and llamacpp yes, openai-compatible when its baseUrl is
     * loopback, the rest no.
     */
    local: Type.Optional(Type.Boolean()),
    /** Where the provider runs (e.g. `local`, `eu`, `us`), for keys restricted to some tags (data residency). */
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    limits: Type.Optional(ProviderLimitsSchema),
    /** Only keys of these workspaces may use it (directly or through a route); absent: shared by all. */
    workspaces: Type.Optional(WorkspaceListSchema),
    ...AzureOpenAISettingsFields,
    ...OllamaSettingsFields,
  },
  { additionalProperties: false },
)
export type Provider = Static<typeof ProviderSchema>

const { type: TypeField, apiKey: _storedKey, ...StoredFields } = ProviderSchema.properties

/**
 * What an admin sets on a provider: the config's fields, except that the key is given as itself (`apiKey`,
 * kept in the gateway's secret store, never in the config file) or as the name of an environment variable
 * holding it (`apiKeyEnv`). On a change, `null` removes a field (a null `baseUrl` goes back to the type's
 * default, a null `local` to the type's locality) and a field left out stays as it is.
 */
const ProviderInputFields = MergeFields({
  ...StoredFields,
  apiKey: Type.Optional(Type.String({ minLength: 1 })),
  apiKeyEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
})

/** POST /admin/v1/providers: a new provider, named by `id`. */
export const ProviderCreateBodySchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', maxLength: 64 }),
    ...ProviderInputFields,
    type: TypeField,
  },
  { additionalProperties: false },
)
export type ProviderInput = Static<typeof ProviderCreateBodySchema>

/** PUT /admin/v1/providers/:id: the fields to change; `id`, if given, must be the URL's (no renames). */
export const ProviderUpdateBodySchema = Type.Object(
  { id: Type.Optional(Type.String()), ...ProviderInputFields, ...MergeFields({ type: TypeField }) },
  { additionalProperties: false },
)
export type ProviderUpdate = Static<typeof ProviderUpdateBodySchema>

/** POST /admin/v1/providers/:id/test: optionally the model to try (else the first one listed), or no body. */
export const ProviderTestBodySchema = Type.Union([
  Type.Object({ model: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
  Type.Null(),
])
export type ProviderTestBody = Static<typeof ProviderTestBodySchema>

/** Every provider type's own settings (azure-openai's, ollama's): what a provider item shows of them. */
export const ProviderTypeSettingsSchema = Type.Object({ ...AzureOpenAISettingsFields, ...OllamaSettingsFields })
export type ProviderTypeSettings = Static<typeof ProviderTypeSettingsSchema>

/** From the last model listing: `error` when it failed, `unknown` before the first one. */
export type ProviderHealth = 'ok' | 'error' | 'unknown'
export type CircuitState = 'closed' | 'half-open' | 'open'

/** One provider of GET /admin/v1/providers (and POST's and PUT's answer): never a credential. */
export interface ProviderItem {
  id: string
  /** One of GET /admin/v1/provider-types' types. */
  type: string
  baseUrl: string
  hasApiKey: boolean
  /** e.g. `…a3f2`; the key itself never leaves the gateway. */
  apiKeyMasked: string | null
  /** Where the key comes from: `env`, `secret` (the gateway's secret store) or `plain` (in the file). */
  apiKeySource: string | null
  /** The variable behind an `env` key. */
  apiKeyEnv: string | null
  /** Each header's value masked; sending a masked value back on a change keeps the header as it is. */
  headers: Record<string, string>
  /** The config's own `models:` list (for bare-name addressing when the upstream cannot list them). */
  configuredModels: string[]
  /** The settings of its type that it sets (azure-openai's `deployments`, `apiVersion`), as written. */
  settings: ProviderTypeSettings
  /** Free and counted as local: its `local:` setting, else its type's default (see docs/configuration.md, "Costs and the pricing section"). */
  local: boolean
  /** The provider's own `local:` setting; null when its type's default applies. */
  localSetting: boolean | null
  modelCount: number
  models: string[]
  listingError: string | null
  health: ProviderHealth
  circuit: CircuitState
}

/** POST /admin/v1/providers/:id/test: whether the provider answered a listing (or the model a call). */
export interface ProviderTestResult {
  ok: boolean
  latencyMs: number
  models: string[]
  error: string | null
}
