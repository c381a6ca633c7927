import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { DiscoveredServer, ModelItem, ProviderItem } from '../../../../src-shared/admin-api'
import { navigate } from '../../app/router'
import { countNoun } from '../../count-noun'
import { formatCount, formatDuration } from '../../format'
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
  const test = useAppStore((s) => s.providerTests[p.id])
  const error = useAppStore((s) => s.providerActionErrors[p.id])
  const testProvider = useAppStore((s) => s.testProvider)
  const deleteProvider = useAppStore((s) => s.deleteProvider)
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
        {test?.result && (
          <p className={test.result.ok ? 'success' : 'error'} role="status">
            {test.result.ok
              ? `✔ Answered in ${formatDuration(test.result.latencyMs)}, ${countNoun(test.result.models.length, 'model')}`
              : `✘ ${test.result.error ?? 'The test failed.'}`}
          </p>
        )}
        {test?.error && (
          <p className="error" role="alert">
            Test failed: {test.error}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="row">
        <button type="button" onClick={() => void testProvider(p.id)} disabled={test?.pending}>
          {test?.pending ? 'Testing…' : 'Test'}
        </button>
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => void deleteProvider(p.id)}>
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
  const discovered = useAppStore(useShallow((s) => s.discovered))
  const error = useAppStore((s) => s.discoveredError)
  const discovering = useAppStore((s) => s.discovering)
  const neverRan = useAppStore((s) => s.discoveryNeverRan)
  const rescan = useAppStore((s) => s.rescanLocal)
  const saveProvider = useAppStore((s) => s.saveProvider)
  const [adding, setAdding] = useState<string | null>(null)
  const [addError, setAddError] = useState<Record<string, string>>({})

  const addNow = async (d: DiscoveredServer) => {
    setAdding(d.baseUrl)
    const ok = await saveProvider({ id: d.suggestedId, type: d.suggestedType, baseUrl: d.baseUrl }, false)
    setAdding(null)
    const message = useAppStore.getState().providerActionErrors['']
    if (!ok) setAddError({ ...addError, [d.baseUrl]: message ?? 'Could not add it.' })
  }
  return (
    <section className="panel" aria-labelledby="discovered-heading">
      <div className="panel-header">
        <h2 id="discovered-heading">Local servers on this machine</h2>
        <button type="button" onClick={() => void rescan()} disabled={discovering}>
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
  const providers = useAppStore(useShallow((s) => s.providers))
  const error = useAppStore((s) => s.providersError)
  const modelItems = useAppStore(useShallow((s) => s.modelItems))
  const modelsError = useAppStore((s) => s.modelsError)
  const load = useAppStore((s) => s.loadProviders)
  const clearError = useAppStore((s) => s.clearProviderError)
  const [form, setForm] = useState<{ editing: ProviderItem | null; seed?: ProviderFormSeed } | null>(null)

  useEffect(() => {
    void load()
  }, [load])

  const openForm = (editing: ProviderItem | null, seed?: ProviderFormSeed) => {
    clearError(editing ? editing.id : '')
    setForm({ editing, seed })
  }
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
              <button type="button" onClick={() => void load()}>
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
        <Models items={modelItems} error={modelsError} />
      </div>
    </main>
  )
}
