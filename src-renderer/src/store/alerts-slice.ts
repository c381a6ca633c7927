import type { StateCreator } from 'zustand'
import type { AlertItem } from '../../../src-shared/admin-api'
import { alertsApi } from '../api/alerts'
import { errorMessage } from '../api/client'

/** How many open alerts the banner fetches; the total says how many more there are. */
const OPEN_LIMIT = 20
/** How many budget alerts Keys & Policies → Budgets lists, acknowledged ones included. */
const BUDGET_LIMIT = 50

export interface AlertsSlice {
  /** Alerts nobody has acknowledged yet, newest first. */
  openAlerts: AlertItem[] | null
  openAlertsTotal: number
  alertsError: string | null
  /** The alert being acknowledged, and the error of the last acknowledgement, if it failed. */
  alertAcking: number | null
  /** Budget alerts, open and acknowledged, newest first (Keys & Policies → Budgets). */
  budgetAlerts: AlertItem[] | null
  budgetAlertsTotal: number
  budgetAlertsError: string | null
  loadAlerts(): Promise<void>
  loadBudgetAlerts(): Promise<void>
  ackAlert(id: number): Promise<boolean>
}

export const createAlertsSlice: StateCreator<AlertsSlice, [], [], AlertsSlice> = (set, get) => ({
  openAlerts: null,
  openAlertsTotal: 0,
  alertsError: null,
  alertAcking: null,
  budgetAlerts: null,
  budgetAlertsTotal: 0,
  budgetAlertsError: null,
  async loadAlerts() {
    try {
      const page = await alertsApi.list({ status: 'open', limit: OPEN_LIMIT })
      set({ openAlerts: page.items, openAlertsTotal: page.total, alertsError: null })
    } catch (err) {
      set({ alertsError: errorMessage(err) })
    }
  },
  async loadBudgetAlerts() {
    try {
      const page = await alertsApi.list({ status: 'all', kind: 'budget', limit: BUDGET_LIMIT })
      set({ budgetAlerts: page.items, budgetAlertsTotal: page.total, budgetAlertsError: null })
    } catch (err) {
      set({ budgetAlertsError: errorMessage(err) })
    }
  },
  async ackAlert(id) {
    set({ alertAcking: id })
    try {
      const acked = await alertsApi.ack(id)
      // The budget list keeps acknowledged alerts: this one now shows when it was acknowledged.
      set((s) => ({ alertAcking: null, budgetAlerts: s.budgetAlerts?.map((a) => (a.id === id ? acked : a)) ?? null }))
      await get().loadAlerts()
      return true
    } catch (err) {
      set({ alertAcking: null, alertsError: errorMessage(err), budgetAlertsError: errorMessage(err) })
      return false
    }
  },
})
