import type { CacheStatus } from '../../../src-shared/admin-api'
import { getJson, sendJson } from './client'

/** The gateway's response cache: its mode, size and counters since start, and clearing it. */
export const cacheApi = {
  status: () => getJson<CacheStatus>('/admin/v1/cache'),
  clear: () => sendJson<{ cleared: number }>('DELETE', '/admin/v1/cache'),
}
