// The response cache: config, keys, the store with its semantic index, and the canonical conversions
// that let one stored answer serve streamed and non-streamed callers of every dialect.

export {
  CACHE_DEFAULTS,
  type CacheConfig,
  CacheConfigSchema,
  type CacheMode,
  type CacheOverride,
  CacheOverrideSchema,
  type CacheSettings,
  cacheSettings,
  validateCache,
  validateCacheOverride,
} from '../../config/policies/cache.js'
export { assembleResponse, MAX_CACHED_ANSWER_CHARS, ResponseAccumulator, replayChunks } from './canonical.js'
export { type CacheKeys, cacheKeys } from './keys.js'
export {
  type CacheHit,
  type CachePut,
  type CacheStats,
  type PayloadCipher,
  ResponseCache,
  type ResponseCacheOptions,
  type SemanticHit,
} from './store.js'
