import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { type CSSProperties, type ReactNode, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { RedactionConfig, RedactionPreview } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { entityLabel, formatEntityCounts } from '../../format'
import { policyQuery, redactionTestQuery } from '../../queries/policies'
import { useAppStore } from '../../store'
import {
  customPatternErrors,
  isRedactionDirty,
  type RedactionMode,
  redactionConfigOf,
} from '../../store/redaction-slice'
import { seriesColor } from '../overview/series-colors'
import { OverridesTable } from './OverridesTable'
import './policies.css'

/** The test box asks the gateway once typing pauses, not on every key. */
const TEST_DELAY_MS = 250

const MODES: { mode: RedactionMode; label: string; hint: string }[] = [
  { mode: 'off', label: 'Off', hint: 'Requests leave as the client sent them.' },
  {
    mode: 'mask',
    label: 'Mask',
    hint: 'Each value found is replaced by its type, e.g. [EMAIL], before the request leaves. The model never sees it.',
  },
  {
    mode: 'reversible',
    label: 'Reversible',
    hint: 'Values leave as numbered placeholders ([EMAIL_1]) and are put back into the answer, streamed or not.',
  },
]

/** What each built-in type catches, as an example a reader recognises. */
const EXAMPLES: Record<string, string> = {
  email: 'jane@example.com',
  phone: '+1 415 555 0100',
  credit_card: '4111 1111 1111 1111 (Luhn-checked)',
  iban: 'DE89 3704 0044 0532 0130 00',
  ip: '203.0.113.7, 2001:db8::1',
  api_key: 'sk-…, ghp_…, AKIA…, JWTs, private keys',
}

function describeOverride(o: Partial<RedactionConfig>): string {
  const parts: string[] = []
  if (o.mode) parts.push(`mode ${o.mode}`)
  if (o.detect)
    parts.push(o.detect.length ? `detects ${o.detect.map(entityLabel).join(', ')}` : 'detects no built-in type')
  if (o.custom) parts.push(o.custom.length ? `patterns ${o.custom.map((c) => c.name).join(', ')}` : 'no patterns')
  if (o.skipFields) parts.push(`skips ${o.skipFields.join(', ')}`)
  return parts.join(' · ')
}

/** The test text with each value found marked and labelled with its type. */
function Highlighted({ text, entities }: { text: string; entities: RedactionPreview['entities'] }) {
  const out: ReactNode[] = []
  let at = 0
  for (const e of entities) {
    if (e.start > at) out.push(text.slice(at, e.start))
    out.push(
      <mark
        key={e.start}
        className="entity"
        data-type={e.type}
        style={{ '--entity-color': seriesColor(e.type) } as CSSProperties}
      >
        {text.slice(e.start, e.end)}
        <span className="entity-tag">{entityLabel(e.type)}</span>
      </mark>,
    )
    at = e.end
  }
  out.push(text.slice(at))
  return (
    <p className="redaction-text" data-testid="redaction-highlight">
      {out}
    </p>
  )
}

function TestBox() {
  const text = useAppStore((s) => s.redactionTestText)
  const setText = useAppStore((s) => s.setRedactionTestText)
  const draft = useAppStore((s) => s.redactionDraft)
  const allTypes = useAppStore((s) => s.redactionBase?.defaults.detect)
  const mode = draft?.mode
  const patternsBroken = draft !== null && Object.keys(customPatternErrors(draft.custom)).length > 0
  // The question the box last settled on: the text and the draft once typing paused.
  const [asked, setAsked] = useState<{ text: string; config: RedactionConfig } | null>(null)
  useEffect(() => {
    if (!draft || !allTypes || patternsBroken) return
    const t = setTimeout(() => setAsked({ text, config: redactionConfigOf(draft, allTypes) }), TEST_DELAY_MS)
    return () => clearTimeout(t)
  }, [draft, text, allTypes, patternsBroken])
  const test = useQuery({
    ...redactionTestQuery(asked?.text ?? '', asked?.config ?? { mode: 'off' }),
    enabled: asked !== null,
    // The last answer stays on screen while the next question is out.
    placeholderData: keepPreviousData,
  })
  const result = patternsBroken ? null : (test.data ?? null)
  const error = patternsBroken
    ? 'Fix the patterns marked above to test them.'
    : test.error
      ? errorMessage(test.error)
      : null

  const counts: Record<string, number> = {}
  for (const e of result?.entities ?? []) counts[e.type] = (counts[e.type] ?? 0) + 1
  const found = result?.entities.length ?? 0
  return (
    <section className="panel stack redaction-test" aria-labelledby="redaction-test-title">
      <h2 id="redaction-test-title">Test</h2>
      <div className="field">
        <label htmlFor="redaction-test-text">Text to test</label>
        <textarea
          id="redaction-test-text"
          rows={5}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-describedby="redaction-test-hint"
        />
        <span id="redaction-test-hint" className="field-hint">
          Runs through the gateway's redactor with the settings on the left as they stand, saved or not, as the content
          of a user message. Nothing is sent to a model.
        </span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="stack" aria-live="polite" data-testid="redaction-result" data-found={found}>
          <p className="muted">
            {mode === 'off'
              ? 'Redaction is off: this text would be sent as is.'
              : found === 0
                ? 'Nothing found: this text would be sent as is.'
                : `Found ${found} ${found === 1 ? 'value' : 'values'}: ${formatEntityCounts(counts)}.`}
          </p>
          <div>
            <h3>Found</h3>
            <Highlighted text={text} entities={result.entities} />
          </div>
          <div>
            <h3>Sent to the model as</h3>
            <pre className="redaction-text mono" data-testid="redaction-output">
              {result.redacted}
            </pre>
          </div>
        </div>
      )}
    </section>
  )
}

function CustomPatterns() {
  const custom = useAppStore(useShallow((s) => s.redactionDraft?.custom ?? []))
  const serverErrors = useAppStore((s) => s.redactionFieldErrors)
  const { add, update, remove } = useAppStore(
    useShallow((s) => ({
      add: s.addCustomPattern,
      update: s.updateCustomPattern,
      remove: s.removeCustomPattern,
    })),
  )
  // Shown as typed (a pattern that does not compile is flagged before anything is sent), except on a row
  // just added and still blank: Save flags those.
  const typed = Object.entries(customPatternErrors(custom)).filter(([k]) => {
    const p = custom[Number(k.split('.')[1])]
    return p.name || p.pattern || p.flags
  })
  const errors: Record<string, string> = { ...Object.fromEntries(typed), ...serverErrors }
  return (
    <fieldset className="stack policy-fieldset">
      <legend>Custom patterns</legend>
      <p className="field-hint">
        Regular expressions in JavaScript syntax, run in linear time (no lookaround or backreferences). The name is the
        entity type and the placeholder: <code>ticket_id</code> → <code>[TICKET_ID]</code>. A custom pattern wins over a
        built-in type on the same text.
      </p>
      {custom.length > 0 && (
        <table aria-label="Custom patterns" className="pattern-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Pattern</th>
              <th scope="col">Flags</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {custom.map((p, i) => {
              const err = (f: string) => errors[`custom.${i}.${f}`]
              const field = (f: 'name' | 'pattern' | 'flags', label: string, placeholder: string) => (
                <td>
                  <input
                    aria-label={`${label} of pattern ${i + 1}`}
                    className={f === 'name' ? undefined : 'mono'}
                    value={p[f]}
                    placeholder={placeholder}
                    spellCheck={false}
                    aria-invalid={Boolean(err(f))}
                    onChange={(e) => update(i, { [f]: e.target.value })}
                  />
                  {err(f) && <span className="field-error">{err(f)}</span>}
                </td>
              )
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place; names may be blank or repeated while typed
                <tr key={i}>
                  {field('name', 'Name', 'ticket_id')}
                  {field('pattern', 'Regular expression', 'TCK-\\d{4}')}
                  {field('flags', 'Flags', 'i')}
                  <td>
                    <button
                      type="button"
                      className="small danger"
                      aria-label={`Remove pattern ${i + 1}${p.name ? ` (${p.name})` : ''}`}
                      onClick={() => remove(i)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      <div>
        <button type="button" onClick={add}>
          Add pattern
        </button>
      </div>
    </fieldset>
  )
}

function Settings() {
  const view = useAppStore((s) => s.redactionBase)!
  const draft = useAppStore((s) => s.redactionDraft)!
  const { setMode, setDetected } = useAppStore(
    useShallow((s) => ({ setMode: s.setRedactionMode, setDetected: s.setEntityDetected })),
  )
  const modeHint = MODES.find((m) => m.mode === draft.mode)?.hint
  return (
    <section className="panel stack" aria-labelledby="redaction-settings-title">
      <h2 id="redaction-settings-title">Gateway-wide redaction</h2>
      <div className="field">
        <span className="field-label" id="redaction-mode-label">
          Mode
        </span>
        {/* biome-ignore lint/a11y/useSemanticElements: a toolbar of toggle buttons, as in Settings → Appearance */}
        <div className="segmented" role="group" aria-labelledby="redaction-mode-label">
          {MODES.map((m) => (
            <button key={m.mode} type="button" aria-pressed={draft.mode === m.mode} onClick={() => setMode(m.mode)}>
              {m.label}
            </button>
          ))}
        </div>
        <span className="field-hint">{modeHint}</span>
      </div>
      <fieldset className="stack policy-fieldset">
        <legend>Detect</legend>
        <ul className="switch-list">
          {view.defaults.detect.map((type) => {
            const on = draft.detect.includes(type)
            return (
              <li key={type}>
                <label className="switch">
                  <input
                    type="checkbox"
                    role="switch"
                    checked={on}
                    aria-checked={on}
                    onChange={(e) => setDetected(type, e.target.checked)}
                    aria-describedby={`entity-example-${type}`}
                  />
                  <span className="switch-label">{entityLabel(type)}</span>
                </label>
                <span id={`entity-example-${type}`} className="muted mono entity-example">
                  {EXAMPLES[type] ?? ''}
                </span>
              </li>
            )
          })}
        </ul>
      </fieldset>
      <CustomPatterns />
      {draft.skipFields.length > 0 && (
        <p className="field-hint">
          Never scanned (from the config's <code>skipFields</code>): {draft.skipFields.join(', ')}.
        </p>
      )}
    </section>
  )
}

function SaveBar() {
  const dirty = useAppStore((s) => isRedactionDirty(s.redactionBase, s.redactionDraft))
  const { saving, error, saved } = useAppStore(
    useShallow((s) => ({ saving: s.redactionSaving, error: s.redactionSaveError, saved: s.redactionSaved })),
  )
  const { save, discard } = useAppStore(useShallow((s) => ({ save: s.saveRedaction, discard: s.discardRedaction })))
  return (
    <>
      {saved && !dirty && (
        <p className="success" role="status">
          ✔ Saved to the config. New calls are redacted this way now.
        </p>
      )}
      {(dirty || error) && (
        <section className="unsaved-bar" aria-label="Unsaved changes">
          <span>{error ? <span className="error">Could not save: {error}</span> : 'Unsaved changes'}</span>
          <div className="row">
            <button type="button" onClick={discard}>
              Discard
            </button>
            <button type="button" className="primary" onClick={() => void save()} disabled={saving || !dirty}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </section>
      )}
    </>
  )
}

/** Keys & Policies → Redaction: the gateway's `redaction:` section, a live test box, and who overrides it. */
export function RedactionTab() {
  const query = useQuery(policyQuery('redaction'))
  const error = query.error ? errorMessage(query.error) : null
  const { view, draft, sync } = useAppStore(
    useShallow((s) => ({ view: s.redactionBase, draft: s.redactionDraft, sync: s.syncRedaction })),
  )
  useEffect(() => {
    if (query.data) sync(query.data)
  }, [query.data, sync])
  if (!view || !draft) {
    return (
      <section className="panel" aria-busy={!error}>
        {error ? (
          <div className="notice" role="alert">
            <span>Could not load the redaction settings: {error}</span>
            <button type="button" onClick={() => void query.refetch()}>
              Retry
            </button>
          </div>
        ) : (
          <p className="muted">Loading redaction settings…</p>
        )}
      </section>
    )
  }
  return (
    <div className="stack" aria-busy={false} data-testid="redaction-tab">
      <div className="policy-layout">
        <div className="stack">
          <Settings />
          <SaveBar />
        </div>
        <TestBox />
      </div>
      <OverridesTable section="redaction" overrides={view.overrides} describe={describeOverride} />
    </div>
  )
}
