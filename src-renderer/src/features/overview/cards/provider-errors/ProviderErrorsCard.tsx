import { useMemo } from 'react'
import { formatCount, formatDuration, formatPercent } from '../../../../format'
import { logsHref, type OverviewCard, type OverviewCardProps } from '../card'
import { providerErrors } from './select'
import './provider-errors.css'

/**
 * Which provider is failing: errors and error rate per provider in the range, worst first, each error count
 * opening that provider's failed rows in Logs. The error chart groups by the chosen dimension; this answers
 * "is it the provider?" whatever that is.
 */
function ProviderErrorsCard({ data, range }: OverviewCardProps) {
  const rows = useMemo(() => providerErrors(data.byProvider), [data.byProvider])
  return (
    <section className="panel" aria-labelledby="provider-errors-heading" data-testid="card-provider-errors">
      <div className="panel-header">
        <h2 id="provider-errors-heading">Errors by provider</h2>
      </div>
      {rows.length === 0 ? (
        <p className="muted">No provider has answered in this range yet.</p>
      ) : (
        <table className="provider-errors" aria-label="Errors by provider">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Errors
              </th>
              <th scope="col" className="num">
                Error rate
              </th>
              <th scope="col" className="num">
                Latency p95
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.provider ?? ''} data-testid={`provider-errors-${r.provider ?? 'none'}`}>
                <td>
                  {r.provider ?? (
                    <span className="muted" title="Requests that failed before a provider was chosen">
                      no provider
                    </span>
                  )}
                </td>
                <td className="num">{formatCount(r.requests)}</td>
                <td className="num" data-value={r.errors}>
                  {r.provider !== null && r.errors > 0 ? (
                    <a href={logsHref(range, { provider: r.provider, status: 'error' })}>{formatCount(r.errors)}</a>
                  ) : (
                    formatCount(r.errors)
                  )}
                </td>
                <td className={r.errors > 0 ? 'num failing' : 'num'}>{formatPercent(r.errors, r.requests)}</td>
                <td className="num">{formatDuration(r.latencyP95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export const providerErrorsCard: OverviewCard = { id: 'provider-errors', wide: true, Card: ProviderErrorsCard }
