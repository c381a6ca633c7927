import type { StateCreator } from 'zustand'
import { type GatewayInfo, gatewayBaseUrl, getJson } from '../api/client'

export interface StatusSlice {
  health: 'unknown' | 'ok' | 'down'
  info: GatewayInfo | null
  baseUrl: string | null
  statusError: string | null
  refreshStatus(): Promise<void>
}

export const createStatusSlice: StateCreator<StatusSlice, [], [], StatusSlice> = (set) => ({
  health: 'unknown',
  info: null,
  baseUrl: null,
  statusError: null,
  async refreshStatus() {
    try {
      const [health, info, baseUrl] = await Promise.all([
        getJson<{ status: string }>('/health'),
        getJson<GatewayInfo>('/admin/v1/info'),
        gatewayBaseUrl(),
      ])
      set({ health: health.status === 'ok' ? 'ok' : 'down', info, baseUrl, statusError: null })
    } catch (err) {
      set({ health: 'down', statusError: (err as Error).message })
    }
  },
})
