import { useEffect } from 'react'
import { useAppStore } from '../../store'

const REFRESH_MS = 5000

function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`
}

export function StatusPage() {
  const health = useAppStore((s) => s.health)
  const info = useAppStore((s) => s.info)
  const baseUrl = useAppStore((s) => s.baseUrl)
  const error = useAppStore((s) => s.statusError)
  const refresh = useAppStore((s) => s.refreshStatus)

  useEffect(() => {
    refresh()
    const t = setInterval(refresh, REFRESH_MS)
    return () => clearInterval(t)
  }, [refresh])

  return (
    <main className="page">
      <header className="page-header">
        <h1>Gateway status</h1>
        <span className={`badge badge-${health}`} data-testid="health">
          {health === 'ok' ? 'Healthy' : health === 'down' ? 'Unreachable' : 'Checking…'}
        </span>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {info && (
        <>
          <section className="cards">
            <div className="card">
              <div className="card-label">Endpoint</div>
              <code data-testid="endpoint">{baseUrl}/v1</code>
            </div>
            <div className="card">
              <div className="card-label">Version</div>
              <div data-testid="version">{info.version}</div>
            </div>
            <div className="card">
              <div className="card-label">Uptime</div>
              <div>{formatUptime(info.uptimeSeconds)}</div>
            </div>
            <div className="card">
              <div className="card-label">Data folder</div>
              <code>{info.dataDir ?? 'in memory'}</code>
            </div>
          </section>
          <section>
            <h2>Providers</h2>
            {info.providers.length === 0 ? (
              <p className="muted">No providers configured. Add one to your config file.</p>
            ) : (
              <table aria-label="Providers">
                <thead>
                  <tr>
                    <th>Id</th>
                    <th>Type</th>
                    <th>Base URL</th>
                    <th>API key</th>
                  </tr>
                </thead>
                <tbody>
                  {info.providers.map((p) => (
                    <tr key={p.id}>
                      <td>{p.id}</td>
                      <td>{p.type}</td>
                      <td>
                        <code>{p.baseUrl ?? 'default'}</code>
                      </td>
                      <td>{p.hasApiKey ? 'set' : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </main>
  )
}
