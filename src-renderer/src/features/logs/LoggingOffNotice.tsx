import { useQuery } from '@tanstack/react-query'
import { statusQuery } from '../../queries/status'

/** Whether the gateway keeps no request log (`serve --no-log`, or no data folder): its `/admin/v1/info` says so. */
export const useLoggingOff = (): boolean =>
  useQuery({ ...statusQuery(), select: (s) => s.info.logging === false }).data === true

/**
 * What the Logs page and the Overview show instead of rows and charts when the gateway records no calls:
 * a deliberate setting, not a failure, so it reads as information rather than as an error.
 */
export function LoggingOffNotice() {
  const dataDir = useQuery({ ...statusQuery(), select: (s) => s.info.dataDir }).data ?? null
  return (
    <section className="empty" role="status" aria-label="Request logging" style={{ marginBottom: 14 }}>
      <p>
        <strong>Request logging is off.</strong> The gateway answers calls but records none, so there are no rows or
        charts to show.
      </p>
      {dataDir ? (
        <p>
          It was started with <code>--no-log</code>. To log calls, restart it without that option:{' '}
          <code>switchyard serve --data-dir {dataDir}</code> keeps them in that folder's database.
        </p>
      ) : (
        <p>
          It was started with <code>--no-log</code> or without a data folder. To log calls, restart it with a folder it
          can write: <code>switchyard serve --data-dir DIR</code> (or set <code>SWITCHYARD_DATA_DIR</code>).
        </p>
      )}
    </section>
  )
}
