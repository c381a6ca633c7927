import { type Static, Type } from 'typebox'
import { schemaProblemLines } from '../schema-problems.js'

export const CACHE_DEFAULTS = { ttlSeconds: 3600, maxEntries: 10_000, maxMb: 256, threshold: 0.95 } as const

const Mode = Type.Enum(['off', 'exact', 'semantic'], {
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
    mode: Mode,
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
    mode: Type.Optional(Mode),
    ttlSeconds: Type.Optional(TtlSeconds),
    semantic: Type.Optional(Type.Object({ threshold: Type.Optional(Threshold) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)

export type CacheConfig = Static<typeof CacheConfigSchema>
export type CacheOverride = Static<typeof CacheOverrideSchema>
export type CacheMode = CacheConfig['mode']

/** The cache as it applies to one call, defaults filled in. */
export interface CacheSettings {
  mode: 'exact' | 'semantic'
  ttlSeconds: number
  semantic?: { embeddingModel: string; threshold: number }
}

const configProblems = schemaProblemLines(CacheConfigSchema)
const overrideProblems = schemaProblemLines(CacheOverrideSchema)

/** Everything wrong with a `cache:` section found at `path` (a JSON pointer such as `/cache`); empty when valid. */
export function validateCache(cfg: unknown, path: string): string[] {
  const problems = configProblems(cfg, path)
  if (problems.length > 0) return problems
  const c = cfg as CacheConfig
  if (c.mode === 'semantic' && !c.semantic) {
    return [`${path}/semantic: is required when mode is semantic (it names the embedding model)`]
  }
  return []
}

/** Everything wrong with a route's or key's cache override at `path`, given the gateway's cache section. */
export function validateCacheOverride(override: unknown, path: string, base: CacheConfig | undefined): string[] {
  const problems = overrideProblems(override, path)
  if (problems.length > 0) return problems
  if ((override as CacheOverride).mode === 'semantic' && !base?.semantic) {
    return [`${path}/mode: semantic needs cache.semantic (the embedding model) in the gateway's cache section`]
  }
  return []
}

/**
 * The cache settings of one call: the gateway's section, then each override in turn (route, then key);
 * undefined when the call is not cached at all.
 */
export function cacheSettings(
  base: CacheConfig | undefined,
  ...overrides: (CacheOverride | undefined)[]
): CacheSettings | undefined {
  let mode: CacheMode = base?.mode ?? 'off'
  let ttlSeconds = base?.ttlSeconds ?? CACHE_DEFAULTS.ttlSeconds
  let threshold = base?.semantic?.threshold ?? CACHE_DEFAULTS.threshold
  for (const o of overrides) {
    if (!o) continue
    mode = o.mode ?? mode
    ttlSeconds = o.ttlSeconds ?? ttlSeconds
    threshold = o.semantic?.threshold ?? threshold
  }
  if (mode === 'off') return undefined
  const embeddingModel = base?.semantic?.embeddingModel
  // Validation refuses semantic without an embedding model; should one slip through, exact still works.
  if (mode === 'semantic' && embeddingModel) {
    return { mode, ttlSeconds, semantic: { embeddingModel, threshold } }
  }
  return { mode: 'exact', ttlSeconds }
}
