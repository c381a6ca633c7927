import type { FastifyInstance } from 'fastify'
import { type Static, Type } from 'typebox'
import { CACHE_DEFAULTS, type ResponseCache } from '../../policies/cache/index.js'

const ClearQuerySchema = Type.Object({
  namespace: Type.Optional(Type.String({ minLength: 1, description: 'clear only this namespace' })),
})

const CacheStatusSchema = Type.Object({
  mode: Type.Enum(['off', 'exact', 'semantic']),
  ttlSeconds: Type.Integer(),
  maxEntries: Type.Integer(),
  maxMb: Type.Number(),
  entries: Type.Integer(),
  bytes: Type.Integer(),
  hits: Type.Integer(),
  misses: Type.Integer(),
  savedUsd: Type.Number(),
})
export type CacheStatus = Static<typeof CacheStatusSchema>

/** What the dashboard shows for a gateway without a cache: the same shape, all zero. */
const OFF: CacheStatus = {
  mode: 'off',
  ttlSeconds: CACHE_DEFAULTS.ttlSeconds,
  maxEntries: CACHE_DEFAULTS.maxEntries,
  maxMb: CACHE_DEFAULTS.maxMb,
  entries: 0,
  bytes: 0,
  hits: 0,
  misses: 0,
  savedUsd: 0,
}

/**
 * GET /admin/v1/cache (mode, limits and counters) and DELETE /admin/v1/cache (everything, or one
 * `?namespace=`). `cache` is read per request: a config change may create or drop the cache.
 */
export function cacheRoutes(app: FastifyInstance, deps: { cache: () => ResponseCache | undefined }): void {
  app.get('/admin/v1/cache', { schema: { response: { 200: CacheStatusSchema } } }, async (): Promise<CacheStatus> => {
    const cache = deps.cache()
    if (!cache) return OFF
    const { config } = cache
    return {
      mode: config.mode,
      ttlSeconds: config.ttlSeconds ?? CACHE_DEFAULTS.ttlSeconds,
      maxEntries: config.maxEntries ?? CACHE_DEFAULTS.maxEntries,
      maxMb: config.maxMb ?? CACHE_DEFAULTS.maxMb,
      ...cache.stats(),
    }
  })

  app.delete<{ Querystring: Static<typeof ClearQuerySchema> }>(
    '/admin/v1/cache',
    { schema: { querystring: ClearQuerySchema } },
    async (req) => ({ cleared: deps.cache()?.clear(req.query.namespace) ?? 0 }),
  )
}
