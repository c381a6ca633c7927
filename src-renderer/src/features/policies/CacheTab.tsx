import { useQuery } from '@tanstack/react-query'
import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { CacheConfig } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { queryClient } from '../../api/query-client'
import { formatCount, formatTtl } from '../../format'
import { cacheStatusKey } from '../../queries/cache'
import { policyQuery } from '../../queries/policies'
import { useAppStore } from '../../store'
import { type CacheDraft, type CacheMode, cacheDraftErrors, isCacheDirty } from '../../store/cache-policy-slice'
import { CacheSection } from './CacheSection'
import { OverridesTable } from './OverridesTable'
import './policies.css'

const MODES: { mode: CacheMode; label: string; hint: string }[] = [
  { mode: 'off', label: 'Off', hint: 'Every call goes to its provider.' },
  {
    mode: 'exact',
    label: 'Exact',
    hint: 'An identical request (same model, messages and parameters) within the time to live is answered from the cache.',
  },
  {
    mode: 'semantic',
    label: 'Semantic',
    hint: 'Also answers a request whose last user message means nearly the same, judged by an embedding model.',
  },
]

function describeOverride(o: Partial<CacheConfig>): string {
  const parts: string[] = []
  if (o.mode) parts.push(`mode ${o.mode}`)
  if (o.ttlSeconds !== undefined) parts.push(`kept ${formatTtl(o.ttlSeconds)}`)
  if (o.semantic?.threshold !== undefined) parts.push(`similarity ≥ ${o.semantic.threshold}`)
  return parts.join(' · ')
}

function Field(props: {
  id: keyof CacheDraft
  param: string
  label: string
  hint: string
  placeholder: string
  inputMode: 'numeric' | 'decimal' | 'text'
  errors: Record<string, string>
}) {
  const value = useAppStore((s) => s.cacheDraft?.[props.id] ?? '')
  const update = useAppStore((s) => s.updateCacheDraft)
  const error = props.errors[props.param]
  return (
    <div className="field">
      <label htmlFor={`cache-${props.id}`}>{props.label}</label>
      <input
        id={`cache-${props.id}`}
        value={value}
        inputMode={props.inputMode}
        placeholder={props.placeholder}
        spellCheck={false}
        aria-invalid={Boolean(error)}
        aria-describedby={`cache-${props.id}-hint`}
        onChange={(e) => update({ [props.id]: e.target.value })}
      />
      <span id={`cache-${props.id}-hint`} className="field-hint">
        {props.hint}
      </span>
      {error && <span className="field-error">{error}</span>}
    </div>
  )
}

function CacheSettings() {
  const view = useAppStore((s) => s.cacheBase)!
  const draft = useAppStore((s) => s.cacheDraft)!
  const dirty = useAppStore((s) => isCacheDirty(s.cacheBase, s.cacheDraft))
  const { saving, saveError, saved, serverErrors } = useAppStore(
    useShallow((s) => ({
      saving: s.cacheSaving,
      saveError: s.cacheSaveError,
      saved: s.cacheSaved,
      serverErrors: s.cacheFieldErrors,
    })),
  )
  const { update, save, discard } = useAppStore(
    useShallow((s) => ({ update: s.updateCacheDraft, save: s.saveCachePolicy, discard: s.discardCacheDraft })),
  )
  const d = view.defaults
  const errors = { ...cacheDraftErrors(draft), ...serverErrors }
  // A saved embedding model stays visible in any mode: routes and keys may still ask for semantic matching.
  const semantic = draft.mode === 'semantic' || view.config?.semantic !== undefined
  return (
    <form
      className="panel stack"
      aria-labelledby="cache-settings-title"
      onSubmit={(e) => {
        e.preventDefault()
        // The counters show the mode and limits in force: read them again once the new ones apply.
        void save().then((ok) => {
          if (ok) void queryClient.invalidateQueries({ queryKey: cacheStatusKey() })
        })
      }}
    >
      <h2 id="cache-settings-title">Gateway-wide response cache</h2>
      <div className="field">
        <span className="field-label" id="cache-mode-label">
          Mode
        </span>
        {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, as in Settings → Appearance */}
        <div className="segmented" role="group" aria-labelledby="cache-mode-label">
          {MODES.map((m) => (
            <button
              key={m.mode}
              type="button"
              aria-pressed={draft.mode === m.mode}
              onClick={() => update({ mode: m.mode })}
            >
              {m.label}
            </button>
          ))}
        </div>
        <span className="field-hint">{MODES.find((m) => m.mode === draft.mode)?.hint}</span>
      </div>
      <div className="form-grid">
        <Field
          id="ttlSeconds"
          param="ttlSeconds"
          label="Time to live (seconds)"
          hint={`How long an answer is served. Empty: ${formatTtl(d.ttlSeconds)}.`}
          placeholder={String(d.ttlSeconds)}
          inputMode="numeric"
          errors={errors}
        />
        <Field
          id="maxEntries"
          param="maxEntries"
          label="Most entries"
          hint={`The oldest go first beyond this. Empty: ${formatCount(d.maxEntries)}.`}
          placeholder={String(d.maxEntries)}
          inputMode="numeric"
          errors={errors}
        />
        <Field
          id="maxMb"
          param="maxMb"
          label="Largest size (MB)"
          hint={`Stored answers in all. Empty: ${formatCount(d.maxMb)} MB.`}
          placeholder={String(d.maxMb)}
          inputMode="decimal"
          errors={errors}
        />
      </div>
      {semantic && (
        <fieldset className="form-grid policy-fieldset">
          <legend>Semantic matching</legend>
          <Field
            id="embeddingModel"
            param="semantic.embeddingModel"
            label="Embedding model"
            hint="provider/model that embeds each question; a local one keeps questions on this machine."
            placeholder="ollama/nomic-embed-text"
            inputMode="text"
            errors={errors}
          />
          <Field
            id="threshold"
            param="semantic.threshold"
            label="Similarity needed (0–1)"
            hint={`Cosine similarity for a hit; higher is stricter. Empty: ${d.threshold}.`}
            placeholder={String(d.threshold)}
            inputMode="decimal"
            errors={errors}
          />
        </fieldset>
      )}
      {saved && !dirty && (
        <p className="success" role="status">
          ✔ Saved to the config. New calls use it now.
        </p>
      )}
      {(dirty || saveError) && (
        <section className="unsaved-bar" aria-label="Unsaved changes">
          <span>{saveError ? <span className="error">Could not save: {saveError}</span> : 'Unsaved changes'}</span>
          <div className="row">
            <button type="button" onClick={discard}>
              Discard
            </button>
            <button type="submit" className="primary" disabled={saving || !dirty}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </section>
      )}
    </form>
  )
}

/** Keys & Policies → Cache: the `cache:` section, who overrides it, and what the cache holds now. */
export function CacheTab() {
  const query = useQuery(policyQuery('cache'))
  const error = query.error ? errorMessage(query.error) : null
  const { view, draft, sync } = useAppStore(
    useShallow((s) => ({ view: s.cacheBase, draft: s.cacheDraft, sync: s.syncCachePolicy })),
  )
  useEffect(() => {
    if (query.data) sync(query.data)
  }, [query.data, sync])
  return (
    <div className="stack" data-testid="cache-tab">
      {view && draft ? (
        <CacheSettings />
      ) : (
        <section className="panel" aria-busy={!error}>
          {error ? (
            <div className="notice" role="alert">
              <span>Could not load the cache settings: {error}</span>
              <button type="button" onClick={() => void query.refetch()}>
                Retry
              </button>
            </div>
          ) : (
            <p className="muted">Loading cache settings…</p>
          )}
        </section>
      )}
      <div className="policy-columns">
        <CacheSection />
        {view && <OverridesTable section="cache" overrides={view.overrides} describe={describeOverride} />}
      </div>
    </div>
  )
}
