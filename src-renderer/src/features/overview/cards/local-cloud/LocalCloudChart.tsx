import { useState } from 'react'
import { Cell, Pie, PieChart, ResponsiveContainer, Tooltip } from 'recharts'
import { formatCount, formatPercent, formatUsd } from '../../../../format'
import { localCloudShare, type ShareMetric } from '../../../../store/selectors'
import { ChartFrame, ChartTooltip, SeriesLegend } from '../../ChartFrame'
import { ANIMATE } from '../../series-colors'
import { type OverviewCard, type OverviewCardProps, rangeText } from '../card'

const METRICS: { key: ShareMetric; label: string }[] = [
  { key: 'requests', label: 'Requests' },
  { key: 'tokens', label: 'Tokens' },
  { key: 'costUsd', label: 'Cost' },
]
const COLORS = { local: 'var(--series-3)', cloud: 'var(--series-1)' }

/** The share of traffic served on this machine versus by cloud providers, as a donut. */
function LocalCloudChart({ data: overview, range }: OverviewCardProps) {
  const [metric, setMetric] = useState<ShareMetric>('requests')
  const { local, cloud } = localCloudShare(overview.byProvider, overview.localProviders, metric)
  const total = local + cloud
  const fmt = metric === 'costUsd' ? formatUsd : formatCount
  const data = [
    { name: 'local', value: local },
    { name: 'cloud', value: cloud },
  ]
  return (
    <ChartFrame
      title="Local vs cloud"
      testId="chart-local-cloud"
      summary={`Local vs cloud ${metric === 'costUsd' ? 'cost' : metric}, ${rangeText(range)}: local ${fmt(local)} (${formatPercent(local, total)}), cloud ${fmt(cloud)}`}
      empty={total === 0 ? `No ${metric === 'costUsd' ? 'cost' : metric} in this range yet` : null}
      actions={
        // biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, not a form group
        <div className="segmented" role="group" aria-label="Local vs cloud measure">
          {METRICS.map((m) => (
            <button
              key={m.key}
              type="button"
              className="small"
              aria-pressed={metric === m.key}
              onClick={() => setMetric(m.key)}
            >
              {m.label}
            </button>
          ))}
        </div>
      }
      legend={
        <SeriesLegend
          items={[
            { name: `Local ${fmt(local)}`, color: COLORS.local },
            { name: `Cloud ${fmt(cloud)}`, color: COLORS.cloud },
          ]}
        />
      }
    >
      <ResponsiveContainer width="100%" height="100%">
        <PieChart>
          <Pie
            data={total === 0 ? [{ name: 'none', value: 1 }] : data}
            dataKey="value"
            nameKey="name"
            innerRadius="58%"
            outerRadius="80%"
            stroke="var(--surface)"
            isAnimationActive={ANIMATE}
          >
            {total === 0 ? (
              <Cell fill="var(--surface-2)" />
            ) : (
              data.map((d) => <Cell key={d.name} fill={COLORS[d.name as keyof typeof COLORS]} />)
            )}
          </Pie>
          {total > 0 && (
            <Tooltip
              content={({ active, payload }) => (
                <ChartTooltip
                  active={active}
                  label={METRICS.find((m) => m.key === metric)!.label}
                  rows={(payload ?? []).map((p) => ({
                    name: String(p.name),
                    color: COLORS[p.name as keyof typeof COLORS],
                    value: `${fmt(Number(p.value))} (${formatPercent(Number(p.value), total)})`,
                  }))}
                />
              )}
            />
          )}
        </PieChart>
      </ResponsiveContainer>
      {total > 0 && (
        <div className="donut-center" aria-hidden="true">
          <strong>{formatPercent(local, total)}</strong>
          <span className="muted">local</span>
        </div>
      )}
    </ChartFrame>
  )
}

export const localCloudCard: OverviewCard = { id: 'local-cloud', wide: false, Card: LocalCloudChart }
