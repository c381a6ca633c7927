import { useEffect } from 'react'
import type { AlertItem, AlertKind } from '../../../../src-shared/admin-api'
import { useAppStore } from '../../store'
import { AlertDetails } from './AlertDetails'
import './alerts.css'

const REFRESH_MS = 30_000
const KIND_LABEL: Record<AlertKind, string> = {
  budget: 'Budget',
  cost_anomaly: 'Cost spike',
  traffic_anomaly: 'Traffic spike',
  log_writer: 'Log writer',
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
  const alerts = useAppStore((s) => s.openAlerts)
  const total = useAppStore((s) => s.openAlertsTotal)
  const error = useAppStore((s) => s.alertsError)
  const load = useAppStore((s) => s.loadAlerts)
  useEffect(() => {
    void load()
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void load()
    }, REFRESH_MS)
    return () => clearInterval(t)
  }, [load])

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
