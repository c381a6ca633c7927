import { useState } from 'react'
import { useAppStore } from '../../store'
import { ModelPicker } from './ModelPicker'

/** Logged requests, chosen with the Logs filters, re-run against other models as a matrix. */
export function ReplaySetup() {
  const start = useAppStore((s) => s.startReplay)
  const [filter, setFilter] = useState({ model: '', provider: '', q: '', from: '', to: '' })
  const [limit, setLimit] = useState(25)
  const [models, setModels] = useState<string[]>([])
  const field = (key: keyof typeof filter, label: string, type = 'text') => (
    <label className="field">
      {label}
      <input type={type} value={filter[key]} onChange={(e) => setFilter({ ...filter, [key]: e.target.value })} />
    </label>
  )
  const onRun = () => {
    const chosen = Object.fromEntries(
      Object.entries(filter)
        .filter(([, v]) => v)
        .map(([k, v]) => [k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v]),
    )
    void start({ filter: chosen, limit, models })
  }
  return (
    <section className="panel stack" aria-labelledby="replay-title">
      <h2 id="replay-title">Replay logged requests</h2>
      <div className="form-grid">
        {field('model', 'Original model')}
        {field('provider', 'Provider')}
        {field('q', 'Text or request id')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <label className="field">
          Requests (newest first)
          <input type="number" min={1} max={500} value={limit} onChange={(e) => setLimit(Number(e.target.value))} />
        </label>
      </div>
      <div>
        <div className="muted">Replay against</div>
        <ModelPicker label="Add replay model" models={models} max={10} onChange={setModels} />
      </div>
      <div className="row">
        <button type="button" className="primary" disabled={models.length === 0} onClick={onRun}>
          Replay
        </button>
      </div>
    </section>
  )
}
