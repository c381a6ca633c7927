import type { CacheCleared, CacheStatus } from '../../../src-shared/contract/cache'
import { getJson, sendJson } from './client'

/** The gateway's response cache: its mode, size and counters since start, and clearing it. */
export const cacheApi = {
  status: () => getJson<CacheStatus>('/admin/v1/cache'),
  clear: () => sendJson<CacheCleared>('DELETE', '/admin/v1/cache'),
}
