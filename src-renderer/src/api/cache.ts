import type { CacheCleared, CacheStatus } from '../../../src-shared/contract/cache'
import { getJson, sendJson } from './client'

/** The gateway's response cache: its mode, size and counters since start, and clearing it. */
export const cacheApi = {
  status: (signal?: AbortSignal) => getJson<CacheStatus>('/admin/v1/cache', signal),
  clear: () => sendJson<CacheCleared>('DELETE', '/admin/v1/cache'),
}
