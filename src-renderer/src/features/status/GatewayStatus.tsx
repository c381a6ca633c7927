import { CopyButton } from '../../components/CopyButton'
import { PathText } from '../../components/PathText'
import { useGatewayStatus } from './use-gateway-status'

function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`
}

/** The gateway's own state: endpoint, version, uptime, data folder and configured providers. */
export function GatewayStatus() {
  const { health, info, baseUrl, error } = useGatewayStatus()

  return (
    <section className="panel" aria-labelledby="gateway-heading">
      <div className="panel-header">
        <h2 id="gateway-heading">Gateway</h2>
        <span className={`badge badge-${health}`} data-testid="health">
          {health === 'ok' ? 'Healthy' : health === 'down' ? 'Unreachable' : 'Checking…'}
        </span>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {info && (
        <>
          <div className="cards">
            <div className="card card-wide">
              <div className="card-label">Endpoint</div>
              <div className="row">
                <PathText text={`${baseUrl}/v1`} testId="endpoint" />
                <CopyButton text={`${baseUrl}/v1`} label="Copy endpoint" />
              </div>
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
              <PathText text={info.dataDir ?? 'in memory'} />
            </div>
          </div>
          <h3 style={{ marginTop: 14 }}>Providers</h3>
          {info.providers.length === 0 ? (
            <p className="muted">
              No providers configured. <a href="#/providers">Add a provider</a>.
            </p>
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
        </>
      )}
    </section>
  )
}
