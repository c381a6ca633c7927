import type { StateCreator } from 'zustand'
import type { AlertItem } from '../../../src-shared/admin-api'
import { alertsApi } from '../api/alerts'
import { errorMessage } from '../api/client'

/** How many open alerts the banner fetches; the total says how many more there are. */
const OPEN_LIMIT = 20

export interface AlertsSlice {
  /** Alerts nobody has acknowledged yet, newest first. */
  openAlerts: AlertItem[] | null
  openAlertsTotal: number
  alertsError: string | null
  /** The alert being acknowledged, and the error of the last acknowledgement, if it failed. */
  alertAcking: number | null
  loadAlerts(): Promise<void>
  ackAlert(id: number): Promise<boolean>
}

export const createAlertsSlice: StateCreator<AlertsSlice, [], [], AlertsSlice> = (set, get) => ({
  openAlerts: null,
  openAlertsTotal: 0,
  alertsError: null,
  alertAcking: null,
  async loadAlerts() {
    try {
      const page = await alertsApi.list({ status: 'open', limit: OPEN_LIMIT })
      set({ openAlerts: page.items, openAlertsTotal: page.total, alertsError: null })
    } catch (err) {
      set({ alertsError: errorMessage(err) })
    }
  },
  async ackAlert(id) {
    set({ alertAcking: id })
    try {
      await alertsApi.ack(id)
      set({ alertAcking: null })
      await get().loadAlerts()
      return true
    } catch (err) {
      set({ alertAcking: null, alertsError: errorMessage(err) })
      return false
    }
  },
})
