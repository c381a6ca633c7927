import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { CacheStatus } from '../../../src-shared/admin-api'
import { cacheApi } from '../api/cache'
import { ApiError } from '../api/client'
import { type CacheSlice, createCacheSlice } from './cache-slice'

vi.mock('../api/cache', () => ({ cacheApi: { status: vi.fn(), clear: vi.fn() } }))
const api = vi.mocked(cacheApi)

const status = (entries: number): CacheStatus => ({
  mode: 'exact',
  ttlSeconds: 3600,
  maxEntries: 10_000,
  maxMb: 256,
  entries,
  bytes: entries * 100,
  hits: 3,
  misses: 2,
  savedUsd: 0.25,
})

describe('cache slice', () => {
  let store: StoreApi<CacheSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<CacheSlice>()(createCacheSlice)
  })

  it('keeps the last status on screen when a later read fails', async () => {
    api.status.mockResolvedValueOnce(status(4))
    await store.getState().loadCache()
    api.status.mockRejectedValueOnce(new ApiError(500, 'database is locked'))
    await store.getState().loadCache()
    expect(store.getState()).toMatchObject({ cacheStatus: { entries: 4 }, cacheError: 'database is locked (HTTP 500)' })
  })

  it('clears, says how many answers went, and reloads the counters', async () => {
    api.clear.mockResolvedValueOnce({ cleared: 4 })
    api.status.mockResolvedValueOnce(status(0))
    await store.getState().clearCache()
    expect(store.getState()).toMatchObject({ cacheCleared: 4, cacheClearing: false, cacheStatus: { entries: 0 } })
    expect(api.clear).toHaveBeenCalledTimes(1)
  })

  it('reports a failed clear beside the button and leaves the status alone', async () => {
    api.status.mockResolvedValueOnce(status(4))
    await store.getState().loadCache()
    api.clear.mockRejectedValueOnce(new ApiError(403, 'admin token required'))
    await store.getState().clearCache()
    expect(store.getState()).toMatchObject({
      cacheCleared: null,
      cacheClearing: false,
      cacheClearError: 'admin token required (HTTP 403)',
      cacheStatus: { entries: 4 },
    })
    expect(api.status).toHaveBeenCalledTimes(1)
  })
})
