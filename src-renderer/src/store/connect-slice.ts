import type { StateCreator } from 'zustand'
import type { LogItem } from '../../../src-shared/admin-api'
import { adminApi } from '../api/admin'
import { errorMessage } from '../api/client'

export interface ConnectSlice {
  connectLatest: LogItem | null
  connectError: string | null
  /** Set by "Test connection": the id of the newest row at that moment; a row above it is the tool's call. */
  connectWaitingAfter: number | null
  connectSeen: LogItem | null
  pollConnect(): Promise<void>
  startConnectionTest(): void
  cancelConnectionTest(): void
}

export const createConnectSlice: StateCreator<ConnectSlice, [], [], ConnectSlice> = (set, get) => ({
  connectLatest: null,
  connectError: null,
  connectWaitingAfter: null,
  connectSeen: null,
  async pollConnect() {
    try {
      const page = await adminApi.logs({}, { limit: 1 })
      const latest = page.items[0] ?? null
      const after = get().connectWaitingAfter
      if (after !== null && latest && latest.id > after) {
        set({ connectLatest: latest, connectError: null, connectSeen: latest, connectWaitingAfter: null })
      } else set({ connectLatest: latest, connectError: null })
    } catch (err) {
      set({ connectError: errorMessage(err) })
    }
  },
  startConnectionTest() {
    // Ids only grow, so comparing ids needs no clock agreement between the page and the gateway.
    set({ connectWaitingAfter: get().connectLatest?.id ?? 0, connectSeen: null })
    void get().pollConnect()
  },
  cancelConnectionTest: () => set({ connectWaitingAfter: null }),
})
