import type { KeyItem } from '../../../../src-shared/admin-api'
import { formatUsd } from '../../format'

const dash = '—'

/** A key's spend against its budget this period: a bar, the figures, the alert reached and what happens when spent. */
export function BudgetBar({ keyName, budget }: { keyName: string; budget: NonNullable<KeyItem['budget']> }) {
  const pct = budget.percentUsed ?? 0
  const level = pct >= 100 ? 'over' : pct >= 80 ? 'near' : 'ok'
  const action = budget.onExceed === 'block' ? 'block' : `→ ${budget.onExceed.slice('downgrade:'.length)}`
  const spent = budget.spentUsd === undefined ? dash : formatUsd(budget.spentUsd)
  const text = `${spent} / ${formatUsd(budget.usd)} · ${budget.period} · ${pct.toFixed(pct > 0 && pct < 0.1 ? 2 : 1)}%`
  const alertLevel = budget.alertLevel ?? 0
  return (
    <div className="key-budget" data-testid="budget-bar" data-key={keyName} data-value={pct}>
      {alertLevel > 0 && (
        <span
          className={`badge budget-alert ${alertLevel >= 100 ? 'badge-err' : 'badge-warn'}`}
          title={`The ${alertLevel}% budget alert has fired this ${budget.period === 'total' ? 'budget' : budget.period}`}
        >
          {alertLevel}% alert
        </span>
      )}
      <div
        className={`budget-track budget-${level}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(pct, 100))}
        aria-valuetext={`${text}${level === 'over' ? `, over budget: ${action}` : ''}`}
        aria-label="Budget used"
      >
        <span style={{ width: `${Math.min(pct, 100)}%` }} />
      </div>
      <span className="num">
        {text}
        {level === 'over' ? ` · ${budget.onExceed === 'block' ? 'BLOCK' : action}` : ''}
        {level === 'near' ? ' · near limit' : ''}
      </span>
    </div>
  )
}
