import { useShallow } from 'zustand/react/shallow'
import { formatDuration, formatTokensInOut, formatUsd } from '../../format'
import { useAppStore } from '../../store'
import type { ComparePane } from '../../store/compare-slice'
import { ModelPicker } from './ModelPicker'
import { paneBadges } from './pane-badges'
import { RatingButtons } from './RatingButtons'

const STATE_TEXT: Record<ComparePane['state'], string> = {
  idle: '',
  queued: 'queued…',
  streaming: 'streaming…',
  done: 'done',
  error: 'error',
}

function Pane({ pane, tags }: { pane: ComparePane; tags: string[] }) {
  const c = pane.cell
  return (
    <section
      className="panel compare-pane"
      data-testid="compare-pane"
      data-model={pane.model}
      data-state={pane.state === 'idle' ? 'queued' : pane.state}
      aria-label={pane.model}
      aria-busy={pane.state === 'streaming' || pane.state === 'queued'}
    >
      <header className="panel-header">
        <h2>{pane.model}</h2>
        <span className="muted">{STATE_TEXT[pane.state]}</span>
        {tags.map((t) => (
          <span className="badge badge-ok" key={t}>
            {t}
          </span>
        ))}
      </header>
      <div className="pane-text" data-testid="pane-text">
        {pane.text}
      </div>
      {pane.error && (
        <p className="error" role="alert">
          {pane.error}
        </p>
      )}
      {c && (
        <footer className="row pane-meta">
          <span data-testid="pane-latency" data-value={c.latencyMs ?? ''}>
            {formatDuration(c.latencyMs)}
          </span>
          <span>TTFT {formatDuration(c.ttftMs)}</span>
          <span>{formatTokensInOut(c.inputTokens, c.outputTokens)} tok</span>
          <span data-testid="pane-cost" data-value={c.costUsd ?? ''}>
            {formatUsd(c.costUsd)}
          </span>
          <span className="spacer" />
          <RatingButtons
            cell={c}
            goodLabel={`Good answer from ${pane.model}`}
            badLabel={`Bad answer from ${pane.model}`}
          />
        </footer>
      )}
    </section>
  )
}

export function SideBySide() {
  const models = useAppStore(useShallow((s) => s.sideModels))
  const panes = useAppStore((s) => s.panes)
  const input = useAppStore((s) => s.sideInput)
  const system = useAppStore((s) => s.sideSystem)
  const running = useAppStore((s) => s.isSideRunning)
  const error = useAppStore((s) => s.sideError)
  const setModels = useAppStore((s) => s.setSideModels)
  const setInput = useAppStore((s) => s.setSideInput)
  const setSystem = useAppStore((s) => s.setSideSystem)
  const run = useAppStore((s) => s.runSideBySide)
  const stop = useAppStore((s) => s.stopSideBySide)
  const tags = paneBadges(panes)
  const canRun = models.length >= 1 && input.trim() !== '' && !running

  return (
    <div className="stack">
      <ModelPicker label="Add model" models={models} max={6} onChange={setModels} />
      <div
        className="compare-panes"
        style={{ gridTemplateColumns: `repeat(${Math.max(panes.length, 1)}, minmax(360px, 1fr))` }}
      >
        {panes.map((p) => (
          <Pane key={p.model} pane={p} tags={tags.get(p.model) ?? []} />
        ))}
        {panes.length === 0 && <p className="empty">Add 2–6 models to compare their answers side by side.</p>}
      </div>
      <label className="field">
        System prompt (optional)
        <input value={system} onChange={(e) => setSystem(e.target.value)} />
      </label>
      <label className="field">
        Shared input
        <textarea
          rows={3}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey) && canRun) void run()
            if (e.key === 'Escape') stop()
          }}
        />
      </label>
      <div className="row">
        <button type="button" className="primary" disabled={!canRun} onClick={() => run()}>
          Send to all
        </button>
        <button type="button" disabled={!running} onClick={stop}>
          Stop all
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  )
}
