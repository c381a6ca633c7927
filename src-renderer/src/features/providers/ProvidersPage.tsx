import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { DiscoveredServer, ModelItem, ProviderItem } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { navigate } from '../../app/router'
import { countNoun } from '../../count-noun'
import { formatCount, formatDuration } from '../../format'
import {
  deleteProvider,
  discoveredQuery,
  discoveryNeverRan,
  modelItemsQuery,
  providersQuery,
  rescanLocal,
  saveProvider,
  testProvider,
} from '../../queries/providers'
import { useAppStore } from '../../store'
import { ProviderForm, type ProviderFormSeed } from './ProviderForm'

const HEALTH_TEXT = { ok: '● healthy', error: '○ failing', unknown: '◌ not checked yet' }
const HEALTH_BADGE = { ok: 'badge-ok', error: 'badge-err', unknown: '' }
const CIRCUIT_TEXT = {
  closed: 'breaker closed',
  'half-open': 'breaker half-open (probing)',
  open: 'breaker open (calls skipped)',
}
const CIRCUIT_HELP = {
  closed: 'Requests flow normally.',
  'half-open': 'After failures, a trial request decides whether the provider is back.',
  open: 'Too many recent failures: the gateway skips this provider until the breaker half-opens.',
}

function ProviderCard({ p, onEdit }: { p: ProviderItem; onEdit(): void }) {
  // Each card holds its own test and delete: a result or an error belongs to this provider only.
  const test = useMutation({ mutationFn: () => testProvider(p.id) })
  const remove = useMutation({ mutationFn: () => deleteProvider(p.id) })
  const error = remove.error ? errorMessage(remove.error) : null
  const [confirming, setConfirming] = useState(false)
  const { health, circuit } = p
  return (
    <article
      className="panel provider-card"
      data-testid="provider-card"
      data-provider={p.id}
      data-health={health}
      data-breaker={circuit}
      aria-labelledby={`provider-${p.id}`}
    >
      <div>
        <div className="provider-title">
          <strong id={`provider-${p.id}`}>{p.id}</strong>
          <span className="muted">{p.type}</span>
          <span className={`badge ${HEALTH_BADGE[health] ?? ''}`}>{HEALTH_TEXT[health] ?? health}</span>
          <span className={`badge badge-${circuit}`} title={CIRCUIT_HELP[circuit]}>
            {CIRCUIT_TEXT[circuit] ?? circuit}
          </span>
          <span className="badge">{p.local ? 'local' : 'cloud'}</span>
        </div>
        <div className="provider-meta">
          <code>{p.baseUrl}</code> · {countNoun(p.modelCount, 'model')} · key{' '}
          {p.hasApiKey ? (
            <>
              <code>{p.apiKeyMasked ?? 'set'}</code>
              {p.apiKeySource === 'env' && p.apiKeyEnv ? ` from $${p.apiKeyEnv}` : ''}
              {p.apiKeySource === 'secret' ? ' (stored by the gateway)' : ''}
            </>
          ) : (
            'none'
          )}
        </div>
        {p.listingError && <div className="provider-meta error">Model list failed: {p.listingError}</div>}
        {test.data && (
          <p className={test.data.ok ? 'success' : 'error'} role="status">
            {test.data.ok
              ? `✔ Answered in ${formatDuration(test.data.latencyMs)}, ${countNoun(test.data.models.length, 'model')}`
              : `✘ ${test.data.error ?? 'The test failed.'}`}
          </p>
        )}
        {test.error && (
          <p className="error" role="alert">
            Test failed: {errorMessage(test.error)}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="row">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {test.isPending ? 'Testing…' : 'Test'}
        </button>
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => remove.mutate()}>
              Delete {p.id}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
    </article>
  )
}

function Discovered({ onAdd }: { onAdd(seed: ProviderFormSeed): void }) {
  const view = useQuery(discoveredQuery())
  const rescan = useMutation({ mutationFn: rescanLocal })
  const discovered = view.data?.items ?? null
  const neverRan = view.data ? discoveryNeverRan(view.data) : false
  const failure = rescan.error ?? view.error
  const error = failure ? errorMessage(failure) : null
  const discovering = rescan.isPending
  const [adding, setAdding] = useState<string | null>(null)
  const [addError, setAddError] = useState<Record<string, string>>({})

  const addNow = async (d: DiscoveredServer) => {
    setAdding(d.baseUrl)
    try {
      await saveProvider({ id: d.suggestedId, type: d.suggestedType, baseUrl: d.baseUrl }, false)
    } catch (err) {
      setAddError({ ...addError, [d.baseUrl]: errorMessage(err) })
    } finally {
      setAdding(null)
    }
  }
  return (
    <section className="panel" aria-labelledby="discovered-heading">
      <div className="panel-header">
        <h2 id="discovered-heading">Local servers on this machine</h2>
        <button type="button" onClick={() => rescan.mutate()} disabled={discovering}>
          {discovering ? 'Scanning…' : neverRan ? '⟳ Scan now' : '⟳ Rescan local'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          Could not look for local servers: {error}
        </p>
      )}
      {discovered && discovered.length === 0 && neverRan && (
        <p className="muted">
          Discovery at start is off (<code>discovery.enabled: false</code> in the config), so nothing has been looked
          for. Press Scan now to look for Ollama, LM Studio or llama.cpp on this machine, or add one by hand.
        </p>
      )}
      {discovered && discovered.length === 0 && !neverRan && (
        <p className="muted">
          No local server found. Start Ollama, LM Studio or llama.cpp, then press Rescan, or add one by hand.
        </p>
      )}
      {discovered && discovered.length > 0 && (
        <div className="discovered">
          {discovered.map((d) => {
            const running = d.status === 'ok'
            return (
              <div className="card" key={d.baseUrl}>
                <div className="provider-title">
                  <strong>{d.kind}</strong>
                  <span className={`badge ${running ? 'badge-ok' : 'badge-warn'}`}>
                    {running ? '● running' : '◐ needs an API key'}
                  </span>
                </div>
                <div className="provider-meta">
                  <code>{d.baseUrl}</code>
                  {` · ${countNoun(d.models.length, 'model')}`}
                </div>
                <div className="row" style={{ marginTop: 8 }}>
                  {d.configured ? (
                    <span className="muted">Already added</span>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="primary small"
                        disabled={!running || adding === d.baseUrl}
                        title={running ? undefined : 'Use Customise… to enter its key'}
                        onClick={() => void addNow(d)}
                        aria-label={`Add ${d.kind} at ${d.baseUrl}`}
                      >
                        {adding === d.baseUrl ? 'Adding…' : 'Add'}
                      </button>
                      <button
                        type="button"
                        className="small"
                        onClick={() => onAdd({ id: d.suggestedId, type: d.suggestedType, baseUrl: d.baseUrl })}
                      >
                        Customise…
                      </button>
                    </>
                  )}
                </div>
                {addError[d.baseUrl] && (
                  <p className="error" role="alert">
                    {addError[d.baseUrl]}
                  </p>
                )}
              </div>
            )
          })}
        </div>
      )}
    </section>
  )
}

function Models({ items, error }: { items: ModelItem[] | null; error: string | null }) {
  const [filter, setFilter] = useState('')
  const shown = (items ?? []).filter((m) => m.id.toLowerCase().includes(filter.toLowerCase()))
  return (
    <section className="panel" aria-labelledby="models-heading">
      <div className="panel-header">
        <h2 id="models-heading">Models</h2>
        <div className="row">
          <label htmlFor="models-filter">Filter</label>
          <input id="models-filter" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name" />
        </div>
      </div>
      {error && (
        <p className="error" role="alert">
          Could not list models: {error}
        </p>
      )}
      {items && items.length === 0 && (
        <p className="muted">No models yet: add a provider and its models appear here.</p>
      )}
      {shown.length > 0 && (
        <table aria-label="Models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Served by</th>
              <th className="num">Context</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.id}>
                <td>
                  <code>{m.id}</code>
                </td>
                <td>{m.route ? `route → ${m.targets.join(', ')}` : m.provider}</td>
                <td className="num">{m.route ? '—' : formatCount(m.contextWindow)}</td>
                <td>
                  <button
                    type="button"
                    className="small"
                    onClick={() => {
                      useAppStore.getState().setPgModel(m.id)
                      navigate('/playground')
                    }}
                  >
                    Try in Playground
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export function ProvidersPage() {
  // Three panels, three independent answers: one failing leaves the others on screen.
  const list = useQuery(providersQuery())
  const models = useQuery(modelItemsQuery())
  const providers = list.data ?? null
  const error = list.error ? errorMessage(list.error) : null
  const [form, setForm] = useState<{ editing: ProviderItem | null; seed?: ProviderFormSeed } | null>(null)

  const openForm = (editing: ProviderItem | null, seed?: ProviderFormSeed) => setForm({ editing, seed })
  return (
    <main className="page">
      <header className="page-header">
        <h1>Providers & models</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => openForm(null)}>
          + Add provider
        </button>
      </header>
      <div className="stack">
        {form && (
          <ProviderForm
            key={form.editing?.id ?? form.seed?.baseUrl ?? 'new'}
            editing={form.editing}
            seed={form.seed}
            existingIds={(providers ?? []).map((p) => p.id)}
            onDone={() => setForm(null)}
          />
        )}
        <section aria-labelledby="configured-heading">
          <h2 id="configured-heading">Configured providers</h2>
          {error && (
            <div className="notice" role="alert">
              <span>
                <strong>Could not load providers.</strong> {error}
              </span>
              <button type="button" onClick={() => void list.refetch()}>
                Retry
              </button>
            </div>
          )}
          {providers && providers.length === 0 && (
            <div className="empty">
              <p>No provider yet. Add a cloud provider with its key, or a local server found below.</p>
              <button type="button" className="primary" onClick={() => openForm(null)}>
                + Add provider
              </button>
            </div>
          )}
          {providers?.map((p) => (
            <ProviderCard key={p.id} p={p} onEdit={() => openForm(p)} />
          ))}
        </section>
        <Discovered onAdd={(seed) => openForm(null, seed)} />
        <Models items={models.data ?? null} error={models.error ? errorMessage(models.error) : null} />
      </div>
    </main>
  )
}
