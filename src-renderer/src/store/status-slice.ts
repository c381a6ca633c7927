import type { StateCreator } from 'zustand'
import { type GatewayInfo, gatewayBaseUrl, getJson } from '../api/client'

export interface StatusSlice {
  health: 'unknown' | 'ok' | 'down'
  info: GatewayInfo | null
  baseUrl: string | null
  statusError: string | null
  /**
   * How many times the gateway came back with a new start time since the page loaded: a restart, after
   * which the lists on screen may be stale (store/index.ts reloads them when this changes).
   */
  gatewayRestarts: number
  refreshStatus(): Promise<void>
}

export const createStatusSlice: StateCreator<StatusSlice, [], [], StatusSlice> = (set, get) => ({
  health: 'unknown',
  info: null,
  baseUrl: null,
  statusError: null,
  gatewayRestarts: 0,
  async refreshStatus() {
    try {
      const [health, info, baseUrl] = await Promise.all([
        getJson<{ status: string }>('/health'),
        getJson<GatewayInfo>('/admin/v1/info'),
        gatewayBaseUrl(),
      ])
      // `info` survives a failed poll, so a restart is seen however long the gateway was down.
      const before = get().info?.startedAt
      const restarted = before !== undefined && before !== info.startedAt
      set({
        health: health.status === 'ok' ? 'ok' : 'down',
        info,
        baseUrl,
        statusError: null,
        ...(restarted ? { gatewayRestarts: get().gatewayRestarts + 1 } : {}),
      })
    } catch (err) {
      set({ health: 'down', statusError: (err as Error).message })
    }
  },
})
