import { queryOptions } from '@tanstack/react-query'
import type { CacheCleared } from '../../../src-shared/contract/cache'
import { cacheApi } from '../api/cache'
import { queryClient } from '../api/query-client'

/** The counters move with every call: Keys & Policies → Cache re-reads them this often while it is in view. */
export const CACHE_REFRESH_MS = 10_000

export const cacheStatusKey = () => ['cache', 'status'] as const

/** The response cache's mode, size and counters since the gateway started. */
export const cacheStatusQuery = () =>
  queryOptions({
    queryKey: cacheStatusKey(),
    queryFn: ({ signal }) => cacheApi.status(signal),
    refetchInterval: CACHE_REFRESH_MS,
  })

/** Empties the cache; entries and size changed, so the counters are read again. */
export async function clearCache(): Promise<CacheCleared> {
  const cleared = await cacheApi.clear()
  await queryClient.invalidateQueries({ queryKey: cacheStatusKey() })
  return cleared
}
