import { useMemo } from 'react'
import type { SpendGroup } from '../../../../../../src-shared/admin-api'
import { formatCount, formatTokensInOut, formatUsd } from '../../../../format'
import type { TimeRange } from '../../../../store/dashboard-slice'
import { logsHref, type OverviewCard, type OverviewCardProps } from '../card'
import { hasSpendSplit, spendRows } from './select'
import './spend.css'

function SpendTable(props: {
  by: 'workspace' | 'person'
  label: string
  none: string
  groups: readonly SpendGroup[]
  range: TimeRange
}) {
  const { by, label, none, groups, range } = props
  const rows = useMemo(() => spendRows(groups), [groups])
  return (
    <table aria-label={`Spend by ${by}`} data-testid={`spend-by-${by}`}>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col" className="num">
            Calls
          </th>
          <th scope="col" className="num">
            Tokens in → out
          </th>
          <th scope="col" className="num">
            Cost
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((g) => (
          <tr key={g.group ?? ''} data-testid={`spend-${by}-${g.group ?? 'none'}`}>
            <td>
              {g.group === null ? (
                <span className="muted">{none}</span>
              ) : (
                <a href={logsHref(range, { [by]: g.group })}>{g.group}</a>
              )}
            </td>
            <td className="num">{formatCount(g.requests)}</td>
            <td className="num">{formatTokensInOut(g.inputTokens, g.outputTokens)}</td>
            <td className="num">{formatUsd(g.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/**
 * What each workspace and each person spent in the range, dearest first, each name opening its calls in Logs.
 * A workspace is the calling key's; a person is whom the call named (x-switchyard-user, the `user` field, Claude
 * Code's account) or the signed-in member who made it from the UI. Shown once any call has either.
 */
function SpendCard({ data, range }: OverviewCardProps) {
  if (!hasSpendSplit(data.spend)) return null
  return (
    <section className="panel spend-card" aria-labelledby="spend-heading" data-testid="card-spend">
      <div className="panel-header">
        <h2 id="spend-heading">Spend by workspace and person</h2>
      </div>
      <div className="spend-tables">
        <SpendTable by="workspace" label="Workspace" none="no key" groups={data.spend.workspace} range={range} />
        <SpendTable by="person" label="Person" none="not named" groups={data.spend.person} range={range} />
      </div>
    </section>
  )
}

export const spendCard: OverviewCard = { id: 'spend', wide: true, Card: SpendCard }
