import type { StateCreator } from 'zustand'
import type { LogItem } from '../../../src-shared/admin-api'

export interface ConnectSlice {
  /** Set by "Test connection": the id of the newest row at that moment; a row above it is the tool's call. */
  connectWaitingAfter: number | null
  connectSeen: LogItem | null
  /** `latestId`: the newest row's id now (null: the log is empty). */
  startConnectionTest(latestId: number | null): void
  cancelConnectionTest(): void
  /** Called with each newest row read while waiting: a newer one than the mark is the tool's call. */
  noteLatestRequest(latest: LogItem | null): void
}

export const createConnectSlice: StateCreator<ConnectSlice, [], [], ConnectSlice> = (set, get) => ({
  connectWaitingAfter: null,
  connectSeen: null,
  // Ids only grow, so comparing ids needs no clock agreement between the page and the gateway.
  startConnectionTest: (latestId) => set({ connectWaitingAfter: latestId ?? 0, connectSeen: null }),
  cancelConnectionTest: () => set({ connectWaitingAfter: null }),
  noteLatestRequest(latest) {
    const after = get().connectWaitingAfter
    if (after !== null && latest && latest.id > after) set({ connectSeen: latest, connectWaitingAfter: null })
  },
})
