import { useQuery } from '@tanstack/react-query'
import type { GatewayInfo } from '../../api/client'
import { healthOf, statusQuery } from '../../queries/status'

export interface GatewayStatusView {
  health: 'unknown' | 'ok' | 'down'
  info: GatewayInfo | null
  baseUrl: string | null
  error: string | null
}

/** The gateway's state as the last poll saw it (the sidebar's pill polls; this only reads). */
export function useGatewayStatus(): GatewayStatusView {
  const query = useQuery(statusQuery())
  return {
    health: healthOf(query.data, query.isError),
    info: query.data?.info ?? null,
    baseUrl: query.data?.baseUrl ?? null,
    error: query.error ? query.error.message : null,
  }
}
