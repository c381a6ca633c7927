import type { StateCreator } from 'zustand'
import type { CacheStatus } from '../../../src-shared/admin-api'
import { cacheApi } from '../api/cache'
import { errorMessage } from '../api/client'

export interface CacheSlice {
  /** The last status read; kept on screen when a later read fails. */
  cacheStatus: CacheStatus | null
  cacheError: string | null
  cacheClearing: boolean
  /** How many answers the last Clear removed, to say so beside the button. */
  cacheCleared: number | null
  cacheClearError: string | null
  loadCache(): Promise<void>
  clearCache(): Promise<void>
}

export const createCacheSlice: StateCreator<CacheSlice, [], [], CacheSlice> = (set, get) => ({
  cacheStatus: null,
  cacheError: null,
  cacheClearing: false,
  cacheCleared: null,
  cacheClearError: null,
  async loadCache() {
    try {
      set({ cacheStatus: await cacheApi.status(), cacheError: null })
    } catch (err) {
      set({ cacheError: errorMessage(err) })
    }
  },
  async clearCache() {
    set({ cacheClearing: true, cacheCleared: null, cacheClearError: null })
    try {
      const { cleared } = await cacheApi.clear()
      set({ cacheCleared: cleared })
      // Entries and size changed: show the counters as they are now.
      await get().loadCache()
    } catch (err) {
      set({ cacheClearError: errorMessage(err) })
    } finally {
      set({ cacheClearing: false })
    }
  },
})
