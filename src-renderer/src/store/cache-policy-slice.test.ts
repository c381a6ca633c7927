import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { PolicyView } from '../../../src-shared/admin-api'
import { ApiError } from '../api/client'
import { policiesApi } from '../api/policies'
import { queryClient } from '../api/query-client'
import { policyQuery } from '../queries/policies'
import {
  type CachePolicySlice,
  cacheConfigOf,
  cacheDraftErrors,
  cacheDraftOf,
  createCachePolicySlice,
  isCacheDirty,
} from './cache-policy-slice'

vi.mock('../api/policies', () => ({ policiesApi: { get: vi.fn(), save: vi.fn(), testRedaction: vi.fn() } }))
const api = vi.mocked(policiesApi)

const view = (config: PolicyView<'cache'>['config']): PolicyView<'cache'> => ({
  section: 'cache',
  config,
  defaults: { mode: 'off', ttlSeconds: 3600, maxEntries: 10_000, maxMb: 256, threshold: 0.95 },
  overrides: [{ scope: 'route', name: 'fast', override: { ttlSeconds: 60 } }],
})

describe('cache drafts', () => {
  it('leaves empty fields out, so the gateway defaults apply', () => {
    const d = cacheDraftOf(view(null))
    expect(d).toEqual({ mode: 'off', ttlSeconds: '', maxEntries: '', maxMb: '', embeddingModel: '', threshold: '' })
    expect(cacheConfigOf({ ...d, mode: 'exact', ttlSeconds: '600' })).toEqual({ mode: 'exact', ttlSeconds: 600 })
    expect(
      cacheConfigOf({ ...d, mode: 'semantic', embeddingModel: ' ollama/nomic ', threshold: '0.9', maxMb: '12.5' }),
    ).toEqual({ mode: 'semantic', maxMb: 12.5, semantic: { embeddingModel: 'ollama/nomic', threshold: 0.9 } })
  })

  it('round-trips a saved section and is dirty only after an edit', () => {
    const v = view({ mode: 'semantic', ttlSeconds: 60, semantic: { embeddingModel: 'up/emb', threshold: 0.8 } })
    expect(cacheConfigOf(cacheDraftOf(v))).toEqual(v.config)
    expect(isCacheDirty(v, cacheDraftOf(v))).toBe(false)
    expect(isCacheDirty(v, { ...cacheDraftOf(v), ttlSeconds: '61' })).toBe(true)
  })

  it('flags what the gateway would refuse, keyed like its error param', () => {
    const d = cacheDraftOf(view(null))
    expect(cacheDraftErrors({ ...d, mode: 'exact', ttlSeconds: '1.5', maxEntries: '0', maxMb: '-1' })).toEqual({
      ttlSeconds: 'The time to live must be a whole number, 1 or more.',
      maxEntries: 'The entry limit must be a whole number, 1 or more.',
      maxMb: 'The size limit must be a number above 0.',
    })
    expect(cacheDraftErrors({ ...d, mode: 'semantic' })).toEqual({
      'semantic.embeddingModel': 'Semantic mode needs the model that embeds questions.',
    })
    expect(cacheDraftErrors({ ...d, mode: 'semantic', embeddingModel: 'nomic', threshold: '2' })).toEqual({
      'semantic.embeddingModel': 'Write it as provider/model, e.g. ollama/nomic-embed-text.',
      'semantic.threshold': 'A similarity between 0 and 1.',
    })
  })
})

describe('cache policy slice', () => {
  let store: StoreApi<CachePolicySlice>
  const s = () => store.getState()
  beforeEach(async () => {
    vi.resetAllMocks()
    queryClient.clear()
    store = createStore<CachePolicySlice>()(createCachePolicySlice)
    api.get.mockResolvedValueOnce(view(null))
    s().syncCachePolicy(await queryClient.fetchQuery(policyQuery('cache')))
  })

  it('saves the drafted section and follows what the gateway answers', async () => {
    s().updateCacheDraft({ mode: 'exact', maxEntries: '500' })
    api.save.mockResolvedValueOnce(view({ mode: 'exact', maxEntries: 500 }))
    expect(await s().saveCachePolicy()).toBe(true)
    expect(api.save).toHaveBeenCalledWith('cache', { mode: 'exact', maxEntries: 500 })
    expect(s()).toMatchObject({ cacheSaved: true, cacheDraft: { mode: 'exact', maxEntries: '500' } })
    expect(queryClient.getQueryData(policyQuery('cache').queryKey)?.config).toEqual({ mode: 'exact', maxEntries: 500 })
    s().updateCacheDraft({ ttlSeconds: '30' })
    expect(s().cacheSaved).toBe(false)
    // Edits in progress survive a newer answer of the gateway.
    s().syncCachePolicy(view({ mode: 'exact', maxEntries: 500 }))
    expect(s().cacheDraft?.ttlSeconds).toBe('30')
  })

  it('does not send a draft with errors, and shows a refusal at its field', async () => {
    s().updateCacheDraft({ mode: 'semantic' })
    expect(await s().saveCachePolicy()).toBe(false)
    expect(api.save).not.toHaveBeenCalled()
    expect(Object.keys(s().cacheFieldErrors)).toEqual(['semantic.embeddingModel'])

    s().updateCacheDraft({ embeddingModel: 'up/emb' })
    api.save.mockRejectedValueOnce(
      new ApiError(400, 'semantic.embeddingModel: provider up is not configured', null, 'semantic.embeddingModel'),
    )
    expect(await s().saveCachePolicy()).toBe(false)
    expect(s().cacheFieldErrors).toEqual({ 'semantic.embeddingModel': 'provider up is not configured' })
    expect(s().cacheBase?.config).toBeNull()
  })
})
