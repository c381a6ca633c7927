import type { AlertItem, AlertsQuery } from '../../../src-shared/contract/alerts'
import type { ListPage } from '../../../src-shared/contract/common'
import { getJson, query, sendJson } from './client'

/** Budget and anomaly alerts, newest first; acknowledging one takes it off the open list. */
export const alertsApi = {
  list: (opts: Partial<Omit<AlertsQuery, 'cursor'>> = {}, signal?: AbortSignal) =>
    getJson<ListPage<AlertItem>>(`/admin/v1/alerts${query(opts)}`, signal),
  ack: (id: number) => sendJson<AlertItem>('POST', `/admin/v1/alerts/${id}/ack`),
}
