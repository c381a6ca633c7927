import { useQuery } from '@tanstack/react-query'
import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { AlertItem, BudgetPeriod, KeyItem } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { formatBucketLabel, formatBucketTick, formatUsd, formatUsdAxis } from '../../format'
import { budgetAlertsQuery } from '../../queries/alerts'
import { budgetChartsQuery } from '../../queries/budgets'
import { keysQuery } from '../../queries/keys'
import { type BudgetChart, type BudgetRow, budgetTicks } from '../../store/budget-series'
import { AlertDetails } from '../alerts/AlertDetails'
import '../alerts/alerts.css'
import { BudgetBar } from '../keys/BudgetBar'
import { ChartFrame, ChartTooltip, SeriesLegend } from '../overview/ChartFrame'
import { ANIMATE, seriesColor } from '../overview/series-colors'
import './policies.css'

const THRESHOLDS = [50, 80, 100] as const
const EARLIER_COLOR = 'var(--series-other)'
const PERIOD_WORD: Record<BudgetPeriod, string> = {
  day: 'today',
  week: 'this week',
  month: 'this month',
  total: 'in all',
}
const PER_PERIOD: Record<BudgetPeriod, string> = { day: 'a day', week: 'a week', month: 'a month', total: 'in all' }

// Budget periods are cut in UTC by the gateway, so their days are named in UTC too.
const utcDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })

/** `this month (Jan 1 – Jan 31, UTC)`: the end is exclusive, so its last day is the day before. */
function periodLabel(budget: NonNullable<KeyItem['budget']>): string {
  if (budget.period === 'total' || !budget.periodStart || !budget.periodEnd) return PERIOD_WORD[budget.period]
  const first = utcDay.format(Date.parse(budget.periodStart))
  const last = utcDay.format(Date.parse(budget.periodEnd) - 1)
  return `${PERIOD_WORD[budget.period]} (${first === last ? first : `${first} – ${last}`}, UTC)`
}

const percent = (p: number) => `${p.toFixed(p > 0 && p < 0.1 ? 2 : 1)}%`

function Thresholds({ level }: { level: number }) {
  return (
    <ul className="thresholds" aria-label="Alerts reached">
      {THRESHOLDS.map((t) => {
        const reached = level >= t
        return (
          <li key={t} className={reached ? (t === 100 ? 'threshold-over' : 'threshold-hit') : 'muted'}>
            {reached ? '✔' : '○'} {t}%<span className="visually-hidden">{reached ? ' reached' : ' not reached'}</span>
          </li>
        )
      })}
    </ul>
  )
}

function Summary({ budgeted }: { budgeted: KeyItem[] }) {
  return (
    <table aria-label="Budgets this period" className="policy-table">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Period</th>
          <th scope="col">Spent of budget</th>
          <th scope="col">Alerts</th>
          <th scope="col">Once spent</th>
        </tr>
      </thead>
      <tbody>
        {budgeted.map((k) => {
          const b = k.budget!
          return (
            <tr key={k.name} aria-label={k.name}>
              <th scope="row">{k.name}</th>
              <td>{periodLabel(b)}</td>
              <td>
                <BudgetBar keyName={k.name} budget={b} />
              </td>
              <td>
                <Thresholds level={b.alertLevel ?? 0} />
              </td>
              <td>{b.onExceed === 'block' ? 'blocked (429)' : `served by ${b.onExceed.slice('downgrade:'.length)}`}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** One key's period as a burn-up: bars climb by each bucket's spend towards the budget line. */
function BudgetChartFigure({ c }: { c: BudgetChart }) {
  const color = seriesColor(c.key)
  const unit = c.bucket === 'hour' ? 'this hour' : 'this day'
  const top = Math.max(0, ...c.rows.map((r) => (r.earlier ?? 0) + (r.spent ?? 0)))
  // Room above the budget line for its label, and above a bar that passed it.
  const ticks = budgetTicks(Math.max(c.usd, top) * 1.05)
  const spentAny = top > 0
  const summary = `${c.key}: ${formatUsd(c.spentUsd)} of ${formatUsd(c.usd)} spent ${PERIOD_WORD[c.period]} (${percent(c.percentUsed)}), budget line at ${formatUsd(c.usd)}`
  return (
    <div data-testid="budget-chart" data-key={c.key} data-spent={c.spentUsd} data-budget={c.usd}>
      <ChartFrame
        title={`${c.key} · ${formatUsd(c.usd)} ${PER_PERIOD[c.period]}`}
        testId="chart-budget"
        summary={summary}
        empty={spentAny ? null : `Nothing spent ${PERIOD_WORD[c.period]} yet`}
        actions={
          <span className={`num ${c.percentUsed >= 100 ? 'error' : c.percentUsed >= 80 ? 'warn-text' : 'muted'}`}>
            {formatUsd(c.spentUsd)} · {percent(c.percentUsed)}
          </span>
        }
        legend={
          <SeriesLegend
            items={[
              { name: 'earlier in the period', color: EARLIER_COLOR },
              { name: unit, color },
              { name: 'budget', color: 'var(--err)' },
            ]}
          />
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={c.rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
            <CartesianGrid vertical={false} />
            <XAxis
              dataKey="t"
              tickFormatter={(t: number) => formatBucketTick(t, c.bucket)}
              tickLine={false}
              axisLine={{ stroke: 'var(--border)' }}
              minTickGap={16}
            />
            <YAxis
              tickFormatter={formatUsdAxis}
              tickLine={false}
              axisLine={false}
              width={56}
              ticks={ticks}
              domain={[0, ticks[ticks.length - 1]]}
            />
            <Tooltip
              cursor={{ fill: 'var(--surface-2)' }}
              content={({ active, payload, label }) => {
                const row = payload?.[0]?.payload as BudgetRow | undefined
                return (
                  <ChartTooltip
                    active={active && row?.spent !== null && row !== undefined}
                    label={formatBucketLabel(Number(label), c.bucket)}
                    rows={[
                      { name: unit, color, value: formatUsd(row?.spent ?? 0) },
                      {
                        name: 'period so far',
                        color: EARLIER_COLOR,
                        value: formatUsd((row?.earlier ?? 0) + (row?.spent ?? 0)),
                      },
                    ]}
                  />
                )
              }}
            />
            <Bar
              dataKey="earlier"
              name="earlier in the period"
              stackId="spend"
              fill={EARLIER_COLOR}
              isAnimationActive={ANIMATE}
              maxBarSize={40}
            />
            <Bar dataKey="spent" name={unit} stackId="spend" fill={color} isAnimationActive={ANIMATE} maxBarSize={40} />
            <ReferenceLine
              y={c.usd}
              stroke="var(--err)"
              strokeDasharray="5 4"
              label={{
                value: `budget ${formatUsd(c.usd)}`,
                position: 'insideTopRight',
                fill: 'var(--err)',
                fontSize: 11,
              }}
            />
          </BarChart>
        </ResponsiveContainer>
      </ChartFrame>
    </div>
  )
}

function AlertRow({ alert }: { alert: AlertItem }) {
  const threshold = alert.details.thresholdPct
  return (
    <li
      className="alert-item"
      data-testid="budget-alert"
      data-key={alert.keyName ?? ''}
      data-acknowledged={alert.acknowledgedAt !== null}
    >
      <span className={`badge ${alert.level === 'critical' ? 'badge-err' : 'badge-warn'}`}>
        {alert.level === 'critical' ? '✘' : '⚠'} {typeof threshold === 'number' ? `${threshold}%` : alert.level}
      </span>
      <AlertDetails alert={alert} />
    </li>
  )
}

function BudgetAlerts() {
  const query = useQuery(budgetAlertsQuery())
  const alerts = query.data?.items ?? null
  const total = query.data?.total ?? 0
  const error = query.error ? errorMessage(query.error) : null
  const open = alerts?.filter((a) => a.acknowledgedAt === null).length ?? 0
  return (
    <section className="panel stack" aria-labelledby="budget-alerts-title" aria-busy={alerts === null && !error}>
      <h2 id="budget-alerts-title">
        Budget alerts
        {alerts && alerts.length > 0 && (
          <span className="muted" style={{ fontWeight: 400 }}>
            {' '}
            · {open} to acknowledge{total > alerts.length ? ` · newest ${alerts.length} of ${total}` : ''}
          </span>
        )}
      </h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {alerts?.length === 0 && (
        <p className="muted">
          No budget alert yet. One is raised when a key's spend passes 50, 80 and 100% of its budget, once each per
          period, and also sent to the alerts webhook when one is set.
        </p>
      )}
      {alerts && alerts.length > 0 && (
        <ul className="alert-list" aria-label="Budget alerts">
          {alerts.map((a) => (
            <AlertRow key={a.id} alert={a} />
          ))}
        </ul>
      )}
    </section>
  )
}

/** Keys & Policies → Budgets: each budget's spend this period, drawn against it, and the alerts it raised. */
export function BudgetsTab() {
  const keysList = useQuery(keysQuery())
  const keys = keysList.data ?? null
  const keysError = keysList.error ? errorMessage(keysList.error) : null
  const chartsQuery = useQuery({ ...budgetChartsQuery(keys ?? []), enabled: keys !== null })
  const charts = chartsQuery.data ?? null
  const loading = chartsQuery.isFetching
  const error = chartsQuery.error ? errorMessage(chartsQuery.error) : null
  const alertsQuery = useQuery(budgetAlertsQuery())

  const budgeted = keys?.filter((k) => k.budget) ?? []
  const unbudgeted = keys?.filter((k) => !k.budget) ?? []
  // Busy from the first render until the charts of the keys just read are in (or failed).
  const busy = keys === null || loading || (charts === null && budgeted.length > 0 && !error)
  return (
    <div className="stack" aria-busy={busy} data-testid="budgets-tab">
      <section className="panel stack" aria-labelledby="budgets-title">
        <div className="panel-header">
          <h2 id="budgets-title">Spend against budget</h2>
          <button
            type="button"
            className="small"
            aria-label="Refresh budgets"
            title="Refresh"
            onClick={() => {
              // Keys whose budgets changed are another charts query; unchanged ones are read again here.
              void keysList.refetch({ cancelRefetch: false })
              void chartsQuery.refetch({ cancelRefetch: false })
              void alertsQuery.refetch({ cancelRefetch: false })
            }}
          >
            ⟳
          </button>
        </div>
        {keysError && (
          <p className="error" role="alert">
            Could not load keys: {keysError}
          </p>
        )}
        {keys && budgeted.length === 0 && (
          <div className="empty">
            <p>
              {keys.length === 0
                ? 'No keys yet: budgets belong to keys.'
                : 'No key has a budget yet. Give one a budget in USD per day, week, month or in all, and choose whether spending it blocks the key or moves it to a cheaper model.'}
            </p>
            <div className="row">
              <a className="button" href="#/keys">
                {keys.length === 0 ? 'Create a key' : 'Edit a key'}
              </a>
            </div>
          </div>
        )}
        {budgeted.length > 0 && <Summary budgeted={budgeted} />}
        {unbudgeted.length > 0 && budgeted.length > 0 && (
          <p className="field-hint">Without a budget: {unbudgeted.map((k) => k.name).join(', ')}.</p>
        )}
      </section>
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not read the spend per day.</strong> {error}
            {charts && ' The charts below are from the last successful read.'}
          </span>
          <button type="button" onClick={() => void chartsQuery.refetch({ cancelRefetch: false })}>
            Retry
          </button>
        </div>
      )}
      {charts && charts.length > 0 && (
        <div className="budget-charts">
          {charts.map((c) => (
            <BudgetChartFigure key={c.key} c={c} />
          ))}
        </div>
      )}
      <BudgetAlerts />
    </div>
  )
}
