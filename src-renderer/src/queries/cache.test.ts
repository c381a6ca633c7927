import { QueryObserver } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { CacheStatus } from '../../../src-shared/admin-api'
import { cacheApi } from '../api/cache'
import { ApiError } from '../api/client'
import { queryClient } from '../api/query-client'
import { cacheStatusKey, cacheStatusQuery, clearCache } from './cache'

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

describe('cache queries', () => {
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
  })

  it('keeps the last status beside the error when a later read fails', async () => {
    api.status.mockResolvedValueOnce(status(4))
    await queryClient.fetchQuery(cacheStatusQuery())
    api.status.mockRejectedValueOnce(new ApiError(403, 'admin token required'))
    await queryClient.refetchQueries({ queryKey: cacheStatusKey() })
    expect(queryClient.getQueryState(cacheStatusKey())).toMatchObject({
      data: { entries: 4 },
      error: { message: 'admin token required' },
    })
  })

  it('clears, says how many answers went, and reads the counters on screen again', async () => {
    api.status.mockResolvedValueOnce(status(4)).mockResolvedValueOnce(status(0))
    const section = new QueryObserver(queryClient, cacheStatusQuery())
    const stop = section.subscribe(() => {})
    await vi.waitFor(() => expect(section.getCurrentResult().data?.entries).toBe(4))
    api.clear.mockResolvedValueOnce({ cleared: 4 })
    expect(await clearCache()).toEqual({ cleared: 4 })
    expect(queryClient.getQueryData(cacheStatusKey())).toMatchObject({ entries: 0 })
    stop()
  })

  it('a failed clear throws and leaves the status alone', async () => {
    api.status.mockResolvedValueOnce(status(4))
    await queryClient.fetchQuery(cacheStatusQuery())
    api.clear.mockRejectedValueOnce(new ApiError(403, 'admin token required'))
    await expect(clearCache()).rejects.toThrow('admin token required')
    expect(queryClient.getQueryData(cacheStatusKey())).toMatchObject({ entries: 4 })
    expect(api.status).toHaveBeenCalledTimes(1)
  })
})
