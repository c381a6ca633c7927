import { useEffect, useState } from 'react'
import { useAppStore } from '../../store'

const REFRESH_MS = 5000

/** The sidebar's gateway state; it also keeps the status slice fresh for every page. Click copies the URL. */
export function GatewayPill() {
  const health = useAppStore((s) => s.health)
  const baseUrl = useAppStore((s) => s.baseUrl)
  const refresh = useAppStore((s) => s.refreshStatus)
  const [copied, setCopied] = useState(false)

  useEffect(() => {
    void refresh()
    const t = setInterval(() => {
      // No polling while the window is hidden.
      if (document.visibilityState === 'visible') void refresh()
    }, REFRESH_MS)
    return () => clearInterval(t)
  }, [refresh])

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
