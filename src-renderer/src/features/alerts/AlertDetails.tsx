import { useMutation } from '@tanstack/react-query'
import type { AlertItem } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { formatTime } from '../../format'
import { ackAlert } from '../../queries/alerts'

/** An alert's message and time, then its Acknowledge button, or when it was acknowledged. */
export function AlertDetails({ alert }: { alert: AlertItem }) {
  const ack = useMutation({ mutationFn: () => ackAlert(alert.id) })
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
          disabled={ack.isPending}
          aria-label={`Acknowledge: ${alert.message}`}
          onClick={() => ack.mutate()}
        >
          Acknowledge
        </button>
      )}
      {ack.error && (
        <span className="field-error" role="alert">
          {errorMessage(ack.error)}
        </span>
      )}
    </>
  )
}
