import type { ReactNode } from 'react'
import { ErrorBoundary } from '../../components/ErrorBoundary'

/**
 * Every chart sits in a figure with a caption and a text summary for screen readers. The box has an
 * explicit height (a ResponsiveContainer in an unsized flex child draws nothing), and an empty chart
 * keeps its frame with a message over it so the layout never jumps.
 */
export function ChartFrame(props: {
  title: string
  testId: string
  summary: string
  empty: string | null
  actions?: ReactNode
  legend?: ReactNode
  children: ReactNode
}) {
  return (
    <figure className="panel chart-figure" data-testid={props.testId}>
      <figcaption>
        <span>{props.title}</span>
        {props.actions}
      </figcaption>
      <div className="chart-box" role="img" aria-label={props.summary}>
        <ErrorBoundary label={`The ${props.title} chart`}>{props.children}</ErrorBoundary>
        {props.empty && <div className="chart-empty">{props.empty}</div>}
      </div>
      {props.legend}
    </figure>
  )
}

export function SeriesLegend({ items }: { items: { name: string; color: string }[] }) {
  if (items.length === 0) return null
  return (
    <ul className="chart-legend" aria-label="Legend" style={{ listStyle: 'none', padding: 0 }}>
      {items.map((i) => (
        <li key={i.name}>
          <span className="swatch" style={{ background: i.color }} />
          {i.name}
        </li>
      ))}
    </ul>
  )
}

export function ChartTooltip(props: {
  active?: boolean
  label: string
  rows: { name: string; color: string; value: string }[]
}) {
  if (!props.active) return null
  return (
    <div className="chart-tooltip">
      <strong>{props.label}</strong>
      {props.rows.map((r) => (
        <div key={r.name}>
          <span>
            <span className="swatch" style={{ background: r.color }} />
            {r.name}
          </span>
          <span className="num">{r.value}</span>
        </div>
      ))}
    </div>
  )
}
