import { useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { BudgetPeriod, KeyItem } from '../../../../src-shared/admin-api'
import { CopyButton } from '../../components/CopyButton'
import { formatUsd } from '../../format'
import { useAppStore } from '../../store'
import { keyDraftErrors } from '../../store/keys-slice'
import { AuditView } from '../audit/AuditView'
import { PolicyTabs, usePolicyTab } from './PolicyTabs'

const PERIODS: BudgetPeriod[] = ['day', 'week', 'month', 'total']
const dash = '—'

function BudgetBar({ budget }: { budget: NonNullable<KeyItem['budget']> }) {
  const pct = budget.percentUsed ?? 0
  const level = pct >= 100 ? 'over' : pct >= 80 ? 'near' : 'ok'
  const action = budget.onExceed === 'block' ? 'block' : `→ ${budget.onExceed.slice('downgrade:'.length)}`
  const spent = budget.spentUsd === undefined ? dash : formatUsd(budget.spentUsd)
  const text = `${spent} / ${formatUsd(budget.usd)} · ${budget.period} · ${pct.toFixed(pct > 0 && pct < 0.1 ? 2 : 1)}%`
  return (
    <div className="key-budget">
      <div
        className={`budget-track budget-${level}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(pct, 100))}
        aria-valuetext={`${text}${level === 'over' ? `, over budget: ${action}` : ''}`}
        aria-label="Budget used"
      >
        <span style={{ width: `${Math.min(pct, 100)}%` }} />
      </div>
      <span className="num">
        {text}
        {level === 'over' ? ` · ${budget.onExceed === 'block' ? 'BLOCK' : action}` : ''}
        {level === 'near' ? ' · near limit' : ''}
      </span>
    </div>
  )
}

function expiry(k: KeyItem): string {
  if (!k.expiresAt) return 'never'
  const t = Date.parse(k.expiresAt)
  if (Number.isNaN(t)) return k.expiresAt
  const day = k.expiresAt.slice(0, 10)
  return t <= Date.now() ? `${day} (expired)` : day
}

function KeyRow({ k }: { k: KeyItem }) {
  const busy = useAppStore((s) => s.keyBusy === k.name)
  const error = useAppStore((s) => s.keyRowErrors[k.name])
  const { rotate, revoke } = useAppStore(useShallow((s) => ({ rotate: s.rotateKey, revoke: s.revokeKey })))
  const [confirm, setConfirm] = useState<'rotate' | 'revoke' | null>(null)
  return (
    <tr aria-label={k.name}>
      <th scope="row">{k.name}</th>
      <td className="mono">{k.key ?? <span className="muted">unresolved</span>}</td>
      <td>{k.models?.length ? k.models.join(', ') : <span className="muted">all</span>}</td>
      <td className="num">{k.limits?.rpm ?? dash}</td>
      <td className="num">{k.limits?.tpm ?? dash}</td>
      <td>{k.budget ? <BudgetBar budget={k.budget} /> : <span className="muted">none</span>}</td>
      <td>
        {k.tags?.length
          ? k.tags.map((t) => (
              <span key={t} className="badge">
                {t}
              </span>
            ))
          : dash}
      </td>
      <td>{expiry(k)}</td>
      <td>
        {confirm ? (
          <div className="row">
            <span>
              {confirm === 'rotate'
                ? 'Issue a new secret? The current one stops working now.'
                : 'Revoke? Clients using it get 401.'}
            </span>
            <button
              type="button"
              className={`small ${confirm === 'revoke' ? 'danger' : ''}`}
              disabled={busy}
              onClick={async () => {
                await (confirm === 'rotate' ? rotate(k.name) : revoke(k.name))
                setConfirm(null)
              }}
            >
              {confirm === 'rotate' ? 'Yes, rotate' : 'Yes, revoke'}
            </button>
            <button type="button" className="small" onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="row">
            <button type="button" className="small" onClick={() => setConfirm('rotate')}>
              Rotate
            </button>
            <button type="button" className="small danger" onClick={() => setConfirm('revoke')}>
              Revoke
            </button>
          </div>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  )
}

function CreateForm() {
  const d = useAppStore((s) => s.keyDraft)!
  const creating = useAppStore((s) => s.keyCreating)
  const apiError = useAppStore((s) => s.keyCreateError)
  const names = useAppStore(useShallow((s) => (s.keys ?? []).map((k) => k.name)))
  const first = useAppStore((s) => (s.keys ?? []).length === 0)
  const a = useAppStore(
    useShallow((s) => ({ update: s.updateKeyDraft, create: s.createKey, discard: s.discardKeyDraft })),
  )
  const [showErrors, setShowErrors] = useState(false)
  const errors = keyDraftErrors(d, names)
  const err = (f: string) => (showErrors ? errors[f] : undefined)
  const field = (id: keyof typeof d, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <div className="field">
      <label htmlFor={`key-${id}`}>{label}</label>
      <input
        id={`key-${id}`}
        value={d[id]}
        onChange={(e) => a.update({ [id]: e.target.value })}
        aria-invalid={Boolean(err(id))}
        aria-describedby={hint ? `key-${id}-hint` : undefined}
        {...props}
      />
      {hint && (
        <span id={`key-${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {err(id) && <span className="field-error">{err(id)}</span>}
    </div>
  )
  return (
    <form
      className="panel stack"
      aria-labelledby="key-form-title"
      onSubmit={(e) => {
        e.preventDefault()
        setShowErrors(true)
        void a.create()
      }}
    >
      <h2 id="key-form-title">New key</h2>
      <div className="form-grid">
        {field('name', 'Name', { autoFocus: true, placeholder: 'cli' }, 'Shown in Logs and budgets; cannot change.')}
        {field('models', 'Allowed models', { placeholder: 'fast, ollama/*' }, 'Globs, comma-separated; empty: all.')}
        {field('rpm', 'Requests per minute', { inputMode: 'numeric' }, 'Empty: no limit.')}
        {field('tpm', 'Tokens per minute', { inputMode: 'numeric' }, 'Empty: no limit.')}
        {field('budgetUsd', 'Budget (USD)', { inputMode: 'decimal', placeholder: '10' }, 'Empty: no budget.')}
        <div className="field">
          <label htmlFor="key-budgetPeriod">Budget period</label>
          <select
            id="key-budgetPeriod"
            value={d.budgetPeriod}
            onChange={(e) => a.update({ budgetPeriod: e.target.value as BudgetPeriod })}
          >
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="key-onExceed">When the budget is spent</label>
          <select
            id="key-onExceed"
            value={d.onExceed}
            onChange={(e) => a.update({ onExceed: e.target.value as 'block' | 'downgrade' })}
          >
            <option value="block">block (answer 429)</option>
            <option value="downgrade">downgrade to a cheaper model</option>
          </select>
        </div>
        {d.onExceed === 'downgrade' && field('downgradeModel', 'Downgrade model', { placeholder: 'ollama/llama3' })}
        {field(
          'tags',
          'Provider tags',
          { placeholder: 'eu, local' },
          'Only providers with one of these tags serve it.',
        )}
        {field('expiresAt', 'Expires', { type: 'date' }, 'Empty: never.')}
      </div>
      {first && (
        <p className="notice">
          This is the first key: once it exists, <strong>every</strong> call to /v1 and /api must carry a key, including
          tools on this machine.
        </p>
      )}
      <div className="row">
        <button type="submit" className="button primary" disabled={creating}>
          {creating ? 'Creating…' : 'Create key'}
        </button>
        <button type="button" className="button" onClick={a.discard}>
          Cancel
        </button>
        {apiError && (
          <span className="field-error" role="alert">
            {apiError}
          </span>
        )}
      </div>
    </form>
  )
}

/** The secret, once: a modal that cannot be reopened; closing it forgets the secret. */
function SecretDialog() {
  const issued = useAppStore((s) => s.issuedSecret)
  const dismiss = useAppStore((s) => s.dismissSecret)
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dlg = ref.current
    if (issued && dlg && !dlg.open) dlg.showModal()
  }, [issued])
  if (!issued) return null
  return (
    <dialog
      ref={ref}
      className="panel secret-dialog"
      aria-labelledby="secret-title"
      aria-modal="true"
      onClose={dismiss}
    >
      <h2 id="secret-title">
        {issued.reason === 'created' ? 'Key created' : 'Key rotated'}: {issued.name}
      </h2>
      <p className="notice">
        <strong>Copy it now: this secret will not be shown again.</strong> Switchyard keeps only a hash of it.
        {issued.reason === 'rotated' && ' The previous secret no longer works.'}
      </p>
      <div className="row">
        <code className="mono secret" data-testid="key-secret">
          {issued.secret}
        </code>
        <CopyButton text={issued.secret} label="Copy key" />
      </div>
      <p className="muted">
        Use it as <code>Authorization: Bearer &lt;key&gt;</code> (OpenAI SDKs: the API key).
      </p>
      <div className="row">
        <button type="button" className="button primary" onClick={() => ref.current?.close()}>
          I have copied it
        </button>
      </div>
    </dialog>
  )
}

export function KeysPage() {
  const keys = useAppStore((s) => s.keys)
  const error = useAppStore((s) => s.keysError)
  const drafting = useAppStore((s) => s.keyDraft !== null)
  const { load, newKey } = useAppStore(useShallow((s) => ({ load: s.loadKeys, newKey: s.newKey })))
  const tab = usePolicyTab()
  useEffect(() => {
    void load()
  }, [load])

  if (tab === 'audit') {
    return (
      <main className="page stack">
        <div className="page-header">
          <h1>Keys &amp; Policies</h1>
        </div>
        <PolicyTabs current={tab} />
        <AuditView />
      </main>
    )
  }
  return (
    <main className="page stack">
      <div className="page-header">
        <h1>Keys &amp; Policies</h1>
        <span className="spacer" />
        {!drafting && keys && keys.length > 0 && (
          <button type="button" className="button primary" onClick={newKey}>
            New key
          </button>
        )}
      </div>
      <PolicyTabs current={tab} />
      {error && (
        <p className="notice" role="alert">
          Could not load keys: {error}
        </p>
      )}
      {drafting && <CreateForm />}
      {keys && keys.length === 0 && !drafting && (
        <section className="empty panel" aria-labelledby="keys-empty-title">
          <h2 id="keys-empty-title">No keys yet</h2>
          <p>Without keys the gateway is open, but only to this machine: any local program can call it with no key.</p>
          <p>
            Creating the first key makes <strong>every</strong> call to the model APIs need one. Give each tool or
            person its own key to limit its models, rate and spend, and to see it in Logs.
          </p>
          <div className="row">
            <button type="button" className="button primary" onClick={newKey}>
              Create the first key
            </button>
          </div>
        </section>
      )}
      {keys && keys.length > 0 && (
        <section className="panel">
          <table aria-label="Keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Models</th>
                <th scope="col" className="num">
                  RPM
                </th>
                <th scope="col" className="num">
                  TPM
                </th>
                <th scope="col">Budget</th>
                <th scope="col">Tags</th>
                <th scope="col">Expires</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <KeyRow key={k.name} k={k} />
              ))}
            </tbody>
          </table>
        </section>
      )}
      <SecretDialog />
    </main>
  )
}
