import { useQuery } from '@tanstack/react-query'
import type { AlertItem, AlertKind } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { openAlertsQuery } from '../../queries/alerts'
import { AlertDetails } from './AlertDetails'
import './alerts.css'

const KIND_LABEL: Record<AlertKind, string> = {
  budget: 'Budget',
  cost_anomaly: 'Cost spike',
  traffic_anomaly: 'Traffic spike',
  log_writer: 'Log writer',
  backend_unavailable: 'Backend',
  config_sync: 'Config sync',
}

function AlertRow({ alert }: { alert: AlertItem }) {
  return (
    <li className={`alert-item alert-${alert.level}`}>
      <span className={`badge ${alert.level === 'critical' ? 'badge-err' : 'badge-warn'}`}>
        {KIND_LABEL[alert.kind]}
      </span>
      <AlertDetails alert={alert} />
    </li>
  )
}

/** Unacknowledged budget and anomaly alerts, newest first; nothing at all while there are none. */
export function AlertsBanner() {
  // Asked again every 30 s while the window is visible; the last list stays on screen if a read fails.
  const query = useQuery(openAlertsQuery())
  const alerts = query.data?.items
  const total = query.data?.total ?? 0
  const error = query.error ? errorMessage(query.error) : null

  if (!alerts?.length) return null
  const critical = alerts.some((a) => a.level === 'critical')
  return (
    <section className={`alerts-banner ${critical ? 'alerts-critical' : ''}`} aria-labelledby="alerts-title">
      <h2 id="alerts-title">
        {total === 1 ? '1 alert' : `${total} alerts`} to review
        {total > alerts.length && <span className="muted"> (newest {alerts.length} shown)</span>}
      </h2>
      <ul className="alert-list">
        {alerts.map((a) => (
          <AlertRow key={a.id} alert={a} />
        ))}
      </ul>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
