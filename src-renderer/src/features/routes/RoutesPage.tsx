import { useQuery } from '@tanstack/react-query'
import { type KeyboardEvent, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { ROUTE_STRATEGIES, type RouteItem, type RouteStrategy } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { modelIdsQuery } from '../../queries/models'
import { routesQuery } from '../../queries/routes'
import { statusQuery } from '../../queries/status'
import { useAppStore } from '../../store'
import { routeDraftErrors } from '../../store/routes-slice'
import { seriesColor } from '../overview/series-colors'

const STRATEGY_HELP: Record<RouteStrategy, string> = {
  fallback: 'Try targets in order; the next one answers when one fails.',
  weighted: 'Split traffic by weight.',
  'least-latency': 'Send each call to the target that has been fastest lately.',
  cheapest: 'Send each call to the target with the lowest price.',
}

function WeightBar({ draft }: { draft: RouteItem }) {
  const total = draft.targets.reduce((s, t) => s + (t.weight ?? 1), 0)
  if (total === 0) return <p className="field-error">All weights are 0: no target would get traffic.</p>
  return (
    <div>
      <div className="timing-bar" role="img" aria-label="Traffic split">
        {draft.targets.map((t, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: targets may repeat a model; position is the identity
            key={i}
            style={{ width: `${((t.weight ?? 1) / total) * 100}%`, background: seriesColor(t.model) }}
          />
        ))}
      </div>
      <div className="chart-legend">
        {draft.targets.map((t, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: as above
          <span key={i}>
            <span className="swatch" style={{ background: seriesColor(t.model) }} />
            {t.model || '(no model)'} {(((t.weight ?? 1) / total) * 100).toFixed(0)}%
          </span>
        ))}
      </div>
    </div>
  )
}

function Editor() {
  const draft = useAppStore((s) => s.routeDraft)!
  const isNew = useAppStore((s) => s.routeDraftIsNew)
  const dirty = useAppStore((s) => s.routeDirty)
  const saving = useAppStore((s) => s.routeSaving)
  const saveError = useAppStore((s) => s.routeSaveError)
  const names = useQuery({ ...routesQuery(), select: (routes) => routes.map((r) => r.name) }).data ?? []
  const models = useQuery(modelIdsQuery()).data ?? []
  const a = useAppStore(
    useShallow((s) => ({
      setName: s.setRouteName,
      setStrategy: s.setRouteStrategy,
      add: s.addRouteTarget,
      remove: s.removeRouteTarget,
      move: s.moveRouteTarget,
      update: s.updateRouteTarget,
      discard: s.discardRouteDraft,
      save: s.saveRouteDraft,
      del: s.deleteRoute,
    })),
  )
  const [newTarget, setNewTarget] = useState('')
  const [showErrors, setShowErrors] = useState(false)
  const errors = routeDraftErrors(draft, names, isNew)
  const strategy = draft.strategy ?? 'fallback'

  const trySave = async () => {
    setShowErrors(true)
    if (Object.keys(errors).length === 0) await a.save()
  }
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 's') {
      e.preventDefault()
      void trySave()
    }
  }
  const onTargetKey = (e: KeyboardEvent, i: number) => {
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault()
      a.move(i, e.key === 'ArrowUp' ? -1 : 1)
    }
  }
  const err = (k: string) => (showErrors ? errors[k] : undefined)

  return (
    <section className="panel stack" aria-labelledby="route-editor-title" onKeyDown={onKeyDown}>
      <h2 id="route-editor-title">{isNew ? 'New route' : `Route ${draft.name}`}</h2>
      <div className="form-grid">
        {isNew && (
          <div className="field">
            <label htmlFor="route-name">Name (what clients send as the model)</label>
            <input
              id="route-name"
              value={draft.name}
              onChange={(e) => a.setName(e.target.value)}
              aria-invalid={Boolean(err('name'))}
            />
            {err('name') && <span className="field-error">{err('name')}</span>}
          </div>
        )}
        <div className="field">
          <label htmlFor="route-strategy">Strategy</label>
          <select
            id="route-strategy"
            style={{ maxWidth: 320 }}
            value={strategy}
            onChange={(e) => a.setStrategy(e.target.value as RouteStrategy)}
            aria-describedby="route-strategy-help"
          >
            {ROUTE_STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <span id="route-strategy-help" className="field-hint">
            {STRATEGY_HELP[strategy]}
          </span>
        </div>
      </div>
      <div>
        <h3>Targets {strategy === 'fallback' && <span className="muted">(tried top to bottom)</span>}</h3>
        {draft.targets.length === 0 && <p className="muted">No target yet: add a model below.</p>}
        <ol style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Targets">
          {draft.targets.map((t, i) => (
            <li
              // biome-ignore lint/suspicious/noArrayIndexKey: targets may repeat a model; position is the identity
              key={i}
              className={`target-row ${strategy === 'weighted' ? 'weighted' : ''}`}
              onKeyDown={(e) => onTargetKey(e, i)}
            >
              <span className="muted num">{i + 1}.</span>
              <div className="field">
                <label htmlFor={`target-${i}`} className="visually-hidden">
                  Target {i + 1} model
                </label>
                <input
                  id={`target-${i}`}
                  list="route-models"
                  value={t.model}
                  onChange={(e) => a.update(i, { model: e.target.value })}
                  aria-invalid={Boolean(err(`targets.${i}`))}
                  title="Alt+↑/↓ moves this target"
                />
                {err(`targets.${i}`) && <span className="field-error">{err(`targets.${i}`)}</span>}
              </div>
              {strategy === 'weighted' ? (
                <div className="field">
                  <label htmlFor={`weight-${i}`} className="visually-hidden">
                    Target {i + 1} weight
                  </label>
                  <input
                    id={`weight-${i}`}
                    type="number"
                    min={0}
                    step={1}
                    value={t.weight ?? 1}
                    onChange={(e) => a.update(i, { weight: Number(e.target.value) })}
                  />
                </div>
              ) : null}
              <div className="row" style={{ flexWrap: 'nowrap' }}>
                <button
                  type="button"
                  className="small"
                  onClick={() => a.move(i, -1)}
                  disabled={i === 0}
                  aria-label={`Move ${t.model || `target ${i + 1}`} up`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="small"
                  onClick={() => a.move(i, 1)}
                  disabled={i === draft.targets.length - 1}
                  aria-label={`Move ${t.model || `target ${i + 1}`} down`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="small danger"
                  onClick={() => a.remove(i)}
                  aria-label={`Remove ${t.model || `target ${i + 1}`}`}
                >
                  ✕
                </button>
              </div>
            </li>
          ))}
        </ol>
        {err('targets') && <p className="field-error">{err('targets')}</p>}
        <datalist id="route-models">
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <form
          className="row"
          style={{ marginTop: 8 }}
          onSubmit={(e) => {
            e.preventDefault()
            if (!newTarget.trim()) return
            a.add(newTarget.trim())
            setNewTarget('')
          }}
        >
          <label htmlFor="route-add-target">Add target</label>
          <input
            id="route-add-target"
            list="route-models"
            value={newTarget}
            placeholder="provider/model"
            onChange={(e) => setNewTarget(e.target.value)}
          />
          <button type="submit" disabled={!newTarget.trim()}>
            Add
          </button>
        </form>
      </div>
      {strategy === 'weighted' && draft.targets.length > 0 && <WeightBar draft={draft} />}
      {saveError && (
        <p className="error" role="alert">
          Could not save: {saveError}
        </p>
      )}
      {!isNew && (
        <div>
          <button type="button" className="danger" onClick={() => void a.del(draft.name)}>
            Delete route {draft.name}
          </button>
        </div>
      )}
      {(dirty || isNew) && (
        <section className="unsaved-bar" aria-label="Unsaved changes">
          <span>Unsaved changes</span>
          <div className="row">
            <button type="button" onClick={a.discard}>
              Discard
            </button>
            <button type="button" className="primary" onClick={() => void trySave()} disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </section>
      )}
    </section>
  )
}

export function RoutesPage() {
  const list = useQuery(routesQuery())
  const routes = list.data ?? null
  const error = list.error ? errorMessage(list.error) : null
  const draftName = useAppStore((s) => (s.routeDraft ? (s.routeDraftIsNew ? null : s.routeDraft.name) : undefined))
  const hasDraft = useAppStore((s) => s.routeDraft !== null)
  const info = useQuery(statusQuery()).data?.info ?? null
  const a = useAppStore(
    useShallow((s) => ({
      edit: s.editRoute,
      create: s.newRoute,
    })),
  )

  return (
    <main className="page">
      <header className="page-header">
        <h1>Routes</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={a.create}>
          + New route
        </button>
      </header>
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load routes.</strong> {error}
            {info && info.routes.length > 0 && ` Configured route names: ${info.routes.join(', ')}.`}
          </span>
          <button type="button" onClick={() => void list.refetch()}>
            Retry
          </button>
        </div>
      )}
      <div className="routes-layout">
        <nav className="panel" aria-label="Routes">
          {routes && routes.length === 0 && (
            <p className="muted">No route yet. A route is one model name that tries or splits across several models.</p>
          )}
          <ul className="route-list">
            {routes?.map((r) => (
              <li key={r.name}>
                <button type="button" aria-current={draftName === r.name} onClick={() => a.edit(r)}>
                  <span>{r.name}</span>
                  <span className="muted">
                    {r.strategy ?? 'fallback'} · {r.targets.length}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {hasDraft ? (
          <Editor />
        ) : (
          <div className="empty">
            <p>Choose a route to edit its strategy and targets, or create one.</p>
            <button type="button" onClick={a.create}>
              + New route
            </button>
          </div>
        )}
      </div>
    </main>
  )
}
