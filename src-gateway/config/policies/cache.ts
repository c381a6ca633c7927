import {
  CACHE_DEFAULTS,
  type CacheConfig,
  CacheConfigSchema,
  type CacheMode,
  type CacheOverride,
  CacheOverrideSchema,
} from '../../../src-shared/contract/policies.js'
import { schemaProblemLines } from '../schema-problems.js'

/** The `cache:` section's schemas are the admin contract's. */
export { CACHE_DEFAULTS, type CacheConfig, CacheConfigSchema, type CacheMode, type CacheOverride, CacheOverrideSchema }

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
