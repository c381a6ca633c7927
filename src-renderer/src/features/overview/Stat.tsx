import './stat-card.css'

/** One headline number; `data-value` carries it raw for tests, and a link opens the rows behind it in Logs. */
export function Stat(props: { id: string; label: string; value: number | null; text: string; href?: string }) {
  return (
    <div className="stat" data-testid={`kpi-${props.id}`} data-value={props.value ?? ''}>
      <dt>{props.label}</dt>
      <dd>{props.href ? <a href={props.href}>{props.text}</a> : props.text}</dd>
    </div>
  )
}
