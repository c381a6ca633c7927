import { useMemo } from 'react'
import { hrefFor } from '../../../../app/router'
import { formatCount, formatUsd } from '../../../../format'
import { topModelsByCost } from '../../../../store/selectors'
import type { OverviewCard, OverviewCardProps } from '../card'

/** The models that cost most in the range, each with a bar relative to the first and a link to its logs. */
function TopModels({ data }: OverviewCardProps) {
  const models = useMemo(() => topModelsByCost(data.byModel), [data.byModel])
  const max = Math.max(...models.map((m) => m.costUsd), 0)
  return (
    <section className="panel" aria-labelledby="top-models-heading">
      <div className="panel-header">
        <h2 id="top-models-heading">Top models by cost</h2>
      </div>
      {models.length === 0 ? (
        <p className="muted">No model has answered in this range yet.</p>
      ) : (
        <table aria-label="Top models by cost">
          <thead>
            <tr>
              <th>Model</th>
              <th className="num">Requests</th>
              <th className="num">Tokens</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.model}>
                <td>
                  {m.group === null ? (
                    <span className="muted" title="Requests that failed before a model was chosen">
                      {m.model}
                    </span>
                  ) : (
                    <a href={hrefFor('/logs', { model: m.group })}>{m.model}</a>
                  )}
                </td>
                <td className="num">{formatCount(m.requests)}</td>
                <td className="num">{formatCount(m.tokens)}</td>
                <td>
                  <div className="bar-cell">
                    <span className="num" style={{ minWidth: 64 }}>
                      {formatUsd(m.costUsd)}
                    </span>
                    <span
                      className="inline-bar"
                      style={{ width: `${max > 0 ? Math.round((m.costUsd / max) * 100) : 0}px` }}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export const topModelsCard: OverviewCard = { id: 'top-models', wide: false, Card: TopModels }
