import type { AlertItem, AlertKind, ListPage } from '../../../src-shared/admin-api'
import { getJson, query, sendJson } from './client'

/** Budget and anomaly alerts, newest first; acknowledging one takes it off the open list. */
export const alertsApi = {
  list: (opts: { status?: 'open' | 'all'; kind?: AlertKind; limit?: number } = {}) =>
    getJson<ListPage<AlertItem>>(`/admin/v1/alerts${query(opts)}`),
  ack: (id: number) => sendJson<AlertItem>('POST', `/admin/v1/alerts/${id}/ack`),
}
