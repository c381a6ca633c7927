import { queryOptions } from '@tanstack/react-query'
import type { AlertItem, ListPage } from '../../../src-shared/admin-api'
import { alertsApi } from '../api/alerts'
import { queryClient } from '../api/query-client'

/** How many open alerts the banner fetches; the total says how many more there are. */
const OPEN_LIMIT = 20
/** How many budget alerts Keys & Policies → Budgets lists, acknowledged ones included. */
const BUDGET_LIMIT = 50
/** The banner asks again this often while the window is visible. */
export const ALERTS_REFRESH_MS = 30_000

export const openAlertsKey = () => ['alerts', 'open'] as const
export const budgetAlertsKey = () => ['alerts', 'budget'] as const

/** Alerts nobody has acknowledged yet, newest first: the banner on every page that shows it. */
export const openAlertsQuery = () =>
  queryOptions({
    queryKey: openAlertsKey(),
    queryFn: ({ signal }) => alertsApi.list({ status: 'open', limit: OPEN_LIMIT }, signal),
    refetchInterval: ALERTS_REFRESH_MS,
  })

/** Budget alerts, open and acknowledged, newest first (Keys & Policies → Budgets). */
export const budgetAlertsQuery = () =>
  queryOptions({
    queryKey: budgetAlertsKey(),
    queryFn: ({ signal }) => alertsApi.list({ status: 'all', kind: 'budget', limit: BUDGET_LIMIT }, signal),
  })

/**
 * Acknowledges an alert: the budget list keeps it, now with when it was acknowledged (the gateway's answer);
 * the open list loses it, so it is asked again.
 */
export async function ackAlert(id: number): Promise<AlertItem> {
  const acked = await alertsApi.ack(id)
  queryClient.setQueryData<ListPage<AlertItem>>(budgetAlertsKey(), (page) =>
    page ? { ...page, items: page.items.map((a) => (a.id === id ? acked : a)) } : page,
  )
  await queryClient.invalidateQueries({ queryKey: openAlertsKey() })
  return acked
}
