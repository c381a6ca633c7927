import { type Static, Type } from 'typebox'

/*
 * The gateway-wide redaction and cache sections (the config file's `redaction:` and `cache:`, and what a
 * route or key may override), and the admin API over them: GET|PUT /admin/v1/policies/:section and
 * POST /admin/v1/redaction/test. config/policies/ adds the checks a schema cannot state (regexes compile).
 */

/** The detectors the gateway ships (policies/redaction/detectors.ts has one per type). */
export const BUILTIN_ENTITY_TYPES = ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key'] as const
export type EntityType = (typeof BUILTIN_ENTITY_TYPES)[number]

const RedactionModeSchema = Type.Enum(['off', 'mask', 'reversible'], {
  description: 'mask: replace with [EMAIL]; reversible: [EMAIL_1] upstream, originals put back in the answer',
})
const Detect = Type.Array(Type.Enum(BUILTIN_ENTITY_TYPES), {
  description: `built-in entity types to look for; default all (${BUILTIN_ENTITY_TYPES.join(', ')})`,
})
const Custom = Type.Array(
  Type.Object(
    {
      name: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'entity type; placeholder label in capitals' }),
      pattern: Type.String({
        minLength: 1,
        description: 'regular expression in JavaScript syntax, run on RE2 (no lookaround or backreferences)',
      }),
      flags: Type.Optional(Type.String({ pattern: '^[imsu]*$' })),
    },
    { additionalProperties: false },
  ),
)
const SkipFields = Type.Array(Type.String({ minLength: 1 }), {
  description: 'body fields (by key, at any depth) never scanned, on top of the structural ones',
})

export const RedactionConfigSchema = Type.Object(
  {
    mode: RedactionModeSchema,
    detect: Type.Optional(Detect),
    custom: Type.Optional(Custom),
    skipFields: Type.Optional(SkipFields),
  },
  { additionalProperties: false },
)

/** What a route or a key may change for its own calls: any field, each replacing the gateway's. */
export const RedactionOverrideSchema = Type.Object(
  {
    mode: Type.Optional(RedactionModeSchema),
    detect: Type.Optional(Detect),
    custom: Type.Optional(Custom),
    skipFields: Type.Optional(SkipFields),
  },
  { additionalProperties: false },
)

export type RedactionConfig = Static<typeof RedactionConfigSchema>
export type RedactionOverride = Static<typeof RedactionOverrideSchema>
export type RedactionMode = RedactionConfig['mode']

export const CACHE_DEFAULTS = { ttlSeconds: 3600, maxEntries: 10_000, maxMb: 256, threshold: 0.95 } as const

const CacheModeSchema = Type.Enum(['off', 'exact', 'semantic'], {
  description: 'exact: identical requests only; semantic: also a close enough last user message',
})
const TtlSeconds = Type.Integer({
  minimum: 1,
  description: `how long an answer is served; default ${CACHE_DEFAULTS.ttlSeconds}`,
})
const Threshold = Type.Number({
  minimum: 0,
  maximum: 1,
  description: `cosine similarity a semantic hit needs; default ${CACHE_DEFAULTS.threshold}`,
})

export const CacheConfigSchema = Type.Object(
  {
    mode: CacheModeSchema,
    ttlSeconds: Type.Optional(TtlSeconds),
    maxEntries: Type.Optional(
      Type.Integer({ minimum: 1, description: `entries kept; default ${CACHE_DEFAULTS.maxEntries}` }),
    ),
    maxMb: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: `stored answers, in MB; default ${CACHE_DEFAULTS.maxMb}` }),
    ),
    semantic: Type.Optional(
      Type.Object(
        {
          embeddingModel: Type.String({
            pattern: '^[^/]+/.+$',
            description: 'provider/model that embeds the last user message, e.g. ollama/nomic-embed-text',
          }),
          threshold: Type.Optional(Threshold),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

/**
 * What a route or a key may change for its own calls. The size caps are the store's and the embedding
 * model is the gateway's: vectors from two models in one namespace could not be compared.
 */
export const CacheOverrideSchema = Type.Object(
  {
    mode: Type.Optional(CacheModeSchema),
    ttlSeconds: Type.Optional(TtlSeconds),
    semantic: Type.Optional(Type.Object({ threshold: Type.Optional(Threshold) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)

export type CacheConfig = Static<typeof CacheConfigSchema>
export type CacheOverride = Static<typeof CacheOverrideSchema>
export type CacheMode = CacheConfig['mode']

/** `:section` of /admin/v1/policies/:section; an unknown section is a 404 that lists the known ones. */
export const PolicyParamsSchema = Type.Object({ section: Type.String({ minLength: 1 }) })
export type PolicyParams = Static<typeof PolicyParamsSchema>

/** The gateway-wide policy sections the admin API edits one at a time; routes and keys may override each. */
export const POLICY_SECTIONS = ['redaction', 'cache'] as const
export type PolicySection = (typeof POLICY_SECTIONS)[number]

interface SectionTypes {
  redaction: { config: RedactionConfig; override: RedactionOverride }
  cache: { config: CacheConfig; override: CacheOverride }
}

/** A route or key that sets its own redaction or cache for its calls, and what it sets. */
export interface PolicyOverride<S extends PolicySection = PolicySection> {
  scope: 'route' | 'key'
  name: string
  override: SectionTypes[S]['override']
}

/** What applies where a section (or the whole config) leaves a field out; the entity types are all there are. */
export interface PolicyDefaults {
  redaction: { mode: 'off'; detect: string[] }
  cache: { mode: 'off'; ttlSeconds: number; maxEntries: number; maxMb: number; threshold: number }
}

/** GET and PUT /admin/v1/policies/:section. `config` is null while the config has no such section. */
export interface PolicyView<S extends PolicySection = PolicySection> {
  section: S
  config: SectionTypes[S]['config'] | null
  defaults: PolicyDefaults[S]
  overrides: PolicyOverride<S>[]
}

/** POST /admin/v1/redaction/test: a text, redacted with `config` as drafted, else with the saved section. */
export const RedactionTestBodySchema = Type.Object(
  {
    text: Type.String({ maxLength: 100_000 }),
    // The route also compiles its patterns, which a schema cannot.
    config: Type.Optional(RedactionConfigSchema),
  },
  { additionalProperties: false },
)
export type RedactionTestBody = Static<typeof RedactionTestBodySchema>

/** One entity the redactor found: its type and where it is in the text. */
export const RedactedSpanSchema = Type.Object({ type: Type.String(), start: Type.Integer(), end: Type.Integer() })
export type RedactedSpan = Static<typeof RedactedSpanSchema>

export const RedactionPreviewSchema = Type.Object({ redacted: Type.String(), entities: Type.Array(RedactedSpanSchema) })
export type RedactionPreview = Static<typeof RedactionPreviewSchema>

/**
 * PUT /admin/v1/policies/:section: the section's fields to change (`null` removes one), as a JSON object. Which
 * fields depends on the section in the URL, so the gateway checks them as that section of the config it would
 * become (RedactionConfigSchema, CacheConfigSchema, regexes compiled), each at its field.
 */
export const PolicySectionBodySchema = Type.Object({})
