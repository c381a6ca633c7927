import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { healthOf, STATUS_REFRESH_MS, statusQuery } from '../../queries/status'

/** The sidebar's gateway state; its poll keeps the status fresh for every page. Click copies the URL. */
export function GatewayPill() {
  // The one poller of the status (no polling while the window is hidden; a poll never starts while one runs).
  const status = useQuery({ ...statusQuery(), refetchInterval: STATUS_REFRESH_MS })
  const health = healthOf(status.data, status.isError)
  const baseUrl = status.data?.baseUrl ?? null
  const [copied, setCopied] = useState(false)

  const label = health === 'ok' ? '● Running' : health === 'down' ? '○ Unreachable' : '◌ Checking…'
  const port = baseUrl ? new URL(baseUrl).port : ''
  return (
    <button
      type="button"
      className={`small badge badge-${health === 'ok' ? 'ok' : health === 'down' ? 'down' : 'warn'}`}
      title="Copy the gateway URL"
      onClick={() => {
        if (!baseUrl) return
        void navigator.clipboard?.writeText(`${baseUrl}/v1`).then(() => {
          setCopied(true)
          setTimeout(() => setCopied(false), 1500)
        })
      }}
    >
      {copied ? 'Copied URL' : `${label}${port ? ` :${port}` : ''}`}
    </button>
  )
}
