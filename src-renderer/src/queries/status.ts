import { hashKey, type QueryClient, queryOptions } from '@tanstack/react-query'
import { type GatewayInfo, gatewayBaseUrl, getJson } from '../api/client'

/** How often the sidebar asks whether the gateway is up (only while the window is visible). */
export const STATUS_REFRESH_MS = 5000

export interface GatewayState {
  healthy: boolean
  info: GatewayInfo
  /** The gateway's origin, as the desktop shell or the page knows it. */
  baseUrl: string
}

export const statusKey = () => ['status'] as const

/**
 * Whether the gateway answers, and what it says about itself. Read by many views; only the sidebar's pill
 * polls it (STATUS_REFRESH_MS), so the views on screen never add their own timers. A failed poll is the
 * answer "unreachable", not something to retry; the last info stays meanwhile.
 */
export const statusQuery = () =>
  queryOptions({
    queryKey: statusKey(),
    queryFn: async ({ signal }): Promise<GatewayState> => {
      const [health, info, baseUrl] = await Promise.all([
        getJson<{ status: string }>('/health', signal),
        getJson<GatewayInfo>('/admin/v1/info', signal),
        gatewayBaseUrl(),
      ])
      return { healthy: health.status === 'ok', info, baseUrl }
    },
    retry: false,
  })

/** `unknown` until the first answer; `down` when the last poll failed or the gateway said it is not ok. */
export function healthOf(data: GatewayState | undefined, failed: boolean): 'unknown' | 'ok' | 'down' {
  if (failed) return 'down'
  if (!data) return 'unknown'
  return data.healthy ? 'ok' : 'down'
}

/**
 * A restarted gateway (it answers with another start time) may hold other keys, providers, routes and models
 * than the ones on screen (a config edited while it was down, secrets it could not read): every query is
 * invalidated, so the ones on screen refetch at once and the others when a page reads them. The first answer
 * is no restart, nor is a failed poll in between, however long the gateway was down.
 */
export function invalidateAfterRestart(client: QueryClient): () => void {
  const status = hashKey(statusKey())
  let startedAt: string | undefined
  return client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'success' || event.query.queryHash !== status) return
    const now = (event.query.state.data as GatewayState).info.startedAt
    const restarted = startedAt !== undefined && startedAt !== now
    startedAt = now
    if (restarted) void client.invalidateQueries()
  })
}
