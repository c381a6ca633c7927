import type { AlertItem } from '../../../../src-shared/admin-api'
import { formatTime } from '../../format'
import { useAppStore } from '../../store'

/** An alert's message and time, then its Acknowledge button, or when it was acknowledged. */
export function AlertDetails({ alert }: { alert: AlertItem }) {
  const acking = useAppStore((s) => s.alertAcking === alert.id)
  const ack = useAppStore((s) => s.ackAlert)
  return (
    <>
      <span className="alert-message">{alert.message}</span>
      <time className="muted" dateTime={alert.createdAt}>
        {formatTime(alert.createdAt)}
      </time>
      {alert.acknowledgedAt ? (
        <span className="muted ack-state">✔ acknowledged {formatTime(alert.acknowledgedAt)}</span>
      ) : (
        <button
          type="button"
          className="small"
          disabled={acking}
          aria-label={`Acknowledge: ${alert.message}`}
          onClick={() => void ack(alert.id)}
        >
          Acknowledge
        </button>
      )}
    </>
  )
}
