import { type Static, Type } from 'typebox'
import { NoQuerySchema } from './common.js'

/** GET /admin/v1/cache takes no query. */
export const CacheStatusQuerySchema = NoQuerySchema

/** DELETE /admin/v1/cache: everything, or one namespace. */
export const CacheClearQuerySchema = Type.Object({
  namespace: Type.Optional(Type.String({ minLength: 1, description: 'clear only this namespace' })),
})
export type CacheClearQuery = Static<typeof CacheClearQuerySchema>

/** The response cache's mode and limits, and its counters since start. */
export const CacheStatusSchema = Type.Object({
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

export const CacheClearedSchema = Type.Object({ cleared: Type.Integer() })
export type CacheCleared = Static<typeof CacheClearedSchema>
