import type { FastifyInstance } from 'fastify'
import {
  type CacheClearQuery,
  CacheClearQuerySchema,
  type CacheStatus,
  CacheStatusQuerySchema,
  CacheStatusSchema,
} from '../../../src-shared/contract/cache.js'
import { CACHE_DEFAULTS, type ResponseCache } from '../../policies/cache/index.js'

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
  app.get(
    '/admin/v1/cache',
    {
      config: { permission: 'settings:read' },
      schema: { querystring: CacheStatusQuerySchema, response: { 200: CacheStatusSchema } },
    },
    async (): Promise<CacheStatus> => {
      const cache = deps.cache()
      if (!cache) return OFF
      const { config } = cache
      return {
        mode: config.mode,
        ttlSeconds: config.ttlSeconds ?? CACHE_DEFAULTS.ttlSeconds,
        maxEntries: config.maxEntries ?? CACHE_DEFAULTS.maxEntries,
        maxMb: config.maxMb ?? CACHE_DEFAULTS.maxMb,
        ...(await cache.currentStats()),
      }
    },
  )

  app.delete<{ Querystring: CacheClearQuery }>(
    '/admin/v1/cache',
    { config: { permission: 'settings:write' }, schema: { querystring: CacheClearQuerySchema } },
    async (req) => ({ cleared: (await deps.cache()?.clearEverywhere(req.query.namespace)) ?? 0 }),
  )
}
