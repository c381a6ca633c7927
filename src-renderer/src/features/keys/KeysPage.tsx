import { useMutation, useQuery } from '@tanstack/react-query'
import { type ReactNode, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { BudgetPeriod, KeyItem, TrafficAnomaly } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { chosenWorkspace } from '../../api/workspace-choice'
import { CopyButton } from '../../components/CopyButton'
import { useModal } from '../../components/use-modal'
import { keysQuery, revokeKey, rotateKey } from '../../queries/keys'
import { hasWorkspaces, workspacesQuery } from '../../queries/workspaces'
import { useAppStore } from '../../store'
import { type KeyDraft, keyDraftErrors } from '../../store/keys-slice'
import './keys.css'
import { AuditView } from '../audit/AuditView'
import { BudgetsTab } from '../policies/BudgetsTab'
import { CacheTab } from '../policies/CacheTab'
import { RedactionTab } from '../policies/RedactionTab'
import { BudgetBar } from './BudgetBar'
import { POLICY_PANEL_ID, type PolicyTab, PolicyTabs, policyTabId, usePolicyTab } from './PolicyTabs'

const PERIODS: BudgetPeriod[] = ['day', 'week', 'month', 'total']
const dash = '—'

function expiry(k: KeyItem): string {
  if (!k.expiresAt) return 'never'
  const t = Date.parse(k.expiresAt)
  if (Number.isNaN(t)) return k.expiresAt
  const day = k.expiresAt.slice(0, 10)
  return t <= Date.now() ? `${day} (expired)` : day
}

function TrafficBadge({ flag }: { flag: TrafficAnomaly }) {
  const norm = flag.normPerWindow.toFixed(1)
  return (
    <span
      className="badge badge-err"
      title={`${flag.windowRequests} requests in the last ${flag.windowMinutes} min; its norm is ${norm} per ${flag.windowMinutes} min`}
    >
      traffic spike
    </span>
  )
}

function KeyRow({ k, isLast, showWorkspace }: { k: KeyItem; isLast: boolean; showWorkspace: boolean }) {
  const { edit, showSecret } = useAppStore(useShallow((s) => ({ edit: s.editKey, showSecret: s.showSecret })))
  const [confirm, setConfirm] = useState<'rotate' | 'revoke' | null>(null)
  // Each row holds its own rotate or revoke: its error shows in this row only.
  const action = useMutation({
    mutationFn: async (kind: 'rotate' | 'revoke') => {
      if (kind === 'revoke') return revokeKey(k.name)
      const rotated = await rotateKey(k.name)
      showSecret({ name: k.name, secret: rotated.key, reason: 'rotated' })
    },
    onSettled: () => setConfirm(null),
  })
  const busy = action.isPending
  const error = action.error ? errorMessage(action.error) : null
  return (
    <tr aria-label={k.name}>
      <th scope="row">
        <span className="key-name">
          {k.name}
          {k.trafficAnomaly && <TrafficBadge flag={k.trafficAnomaly} />}
        </span>
      </th>
      <td className="mono">{k.key ?? <span className="muted">unresolved</span>}</td>
      {showWorkspace && <td data-testid="key-workspace">{k.workspace ?? 'default'}</td>}
      <td>{k.models?.length ? k.models.join(', ') : <span className="muted">all</span>}</td>
      <td className="num">{k.limits?.rpm ?? dash}</td>
      <td className="num">{k.limits?.tpm ?? dash}</td>
      <td>{k.budget ? <BudgetBar keyName={k.name} budget={k.budget} /> : <span className="muted">none</span>}</td>
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
              {confirm === 'revoke' && isLast && (
                <strong className="warn-text" role="alert">
                  {' '}
                  This is the last key: without keys the model APIs need none, so anyone who can reach the gateway can
                  call them.
                </strong>
              )}
            </span>
            <button
              type="button"
              className={`small ${confirm === 'revoke' ? 'danger' : ''}`}
              disabled={busy}
              onClick={() => action.mutate(confirm)}
            >
              {confirm === 'rotate' ? 'Yes, rotate' : 'Yes, revoke'}
            </button>
            <button type="button" className="small" onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="row">
            <button type="button" className="small" onClick={() => edit(k)}>
              Edit
            </button>
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

/** The draft's text fields (the rest are a select or a checkbox). */
type TextField = { [K in keyof KeyDraft]: KeyDraft[K] extends string ? K : never }[keyof KeyDraft]

/** The settings of a key as form fields; the name is fixed once the key exists. */
function KeyFields({
  draft: d,
  update,
  errors,
  idPrefix,
  isEdit,
}: {
  draft: KeyDraft
  update: (patch: Partial<KeyDraft>) => void
  errors: Record<string, string | undefined>
  idPrefix: string
  isEdit: boolean
}) {
  const workspaces = useQuery(workspacesQuery()).data
  // An unnamed workspace is the one the gateway files the key in: the switcher's choice, else `default` when it
  // is the person's, else their first (a member of `payments` only must not be shown `default`).
  const ids = (workspaces ?? []).map((w) => w.id)
  const chosen = chosenWorkspace()
  // An edited key without one is in `default`.
  const fallback = isEdit
    ? 'default'
    : chosen !== null && ids.includes(chosen)
      ? chosen
      : ids.length === 0 || ids.includes('default')
        ? 'default'
        : [...ids].sort()[0]
  const field = (id: TextField, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <div className="field">
      <label htmlFor={`${idPrefix}-${id}`}>{label}</label>
      <input
        id={`${idPrefix}-${id}`}
        value={d[id]}
        onChange={(e) => update({ [id]: e.target.value })}
        aria-invalid={Boolean(errors[id])}
        aria-describedby={hint ? `${idPrefix}-${id}-hint` : undefined}
        {...props}
      />
      {hint && (
        <span id={`${idPrefix}-${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {errors[id] && <span className="field-error">{errors[id]}</span>}
    </div>
  )
  return (
    <div className="form-grid">
      {field(
        'name',
        'Name',
        isEdit ? { readOnly: true } : { autoFocus: true, placeholder: 'cli' },
        'Shown in Logs and budgets; cannot change.',
      )}
      {(hasWorkspaces(workspaces) || d.workspace !== '') && (
        <div className="field">
          <label htmlFor={`${idPrefix}-workspace`}>Workspace</label>
          <select
            id={`${idPrefix}-workspace`}
            value={d.workspace || fallback}
            onChange={(e) => update({ workspace: e.target.value === fallback ? '' : e.target.value })}
            aria-describedby={`${idPrefix}-workspace-hint`}
          >
            {(workspaces ?? [{ id: 'default', name: 'Default' }]).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name === w.id ? w.id : `${w.name} (${w.id})`}
              </option>
            ))}
          </select>
          <span id={`${idPrefix}-workspace-hint`} className="field-hint">
            Its calls may use only providers and routes shared with this workspace.
          </span>
        </div>
      )}
      {field(
        'models',
        'Allowed models',
        { placeholder: 'fast, ollama/*', autoFocus: isEdit },
        'Globs, comma-separated; empty: all.',
      )}
      {field('rpm', 'Requests per minute', { inputMode: 'numeric' }, 'Empty: no limit.')}
      {field('tpm', 'Tokens per minute', { inputMode: 'numeric' }, 'Empty: no limit.')}
      {field(
        'budgetUsd',
        'Budget (USD)',
        { inputMode: 'decimal', placeholder: '10' },
        'Empty: no budget. Alerts at 50, 80 and 100%.',
      )}
      <div className="field">
        <label htmlFor={`${idPrefix}-budgetPeriod`}>Budget period</label>
        <select
          id={`${idPrefix}-budgetPeriod`}
          value={d.budgetPeriod}
          onChange={(e) => update({ budgetPeriod: e.target.value as BudgetPeriod })}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-onExceed`}>When the budget is spent</label>
        <select
          id={`${idPrefix}-onExceed`}
          value={d.onExceed}
          onChange={(e) => update({ onExceed: e.target.value as 'block' | 'downgrade' })}
        >
          <option value="block">block (answer 429)</option>
          <option value="downgrade">downgrade to a cheaper model</option>
        </select>
      </div>
      {d.onExceed === 'downgrade' && field('downgradeModel', 'Downgrade model', { placeholder: 'ollama/llama3' })}
      {field('tags', 'Provider tags', { placeholder: 'eu, local' }, 'Only providers with one of these tags serve it.')}
      {field('expiresAt', 'Expires', { type: 'date' }, 'Empty: never.')}
      {field(
        'mcpTools',
        'MCP tools',
        { placeholder: 'everything__echo, github__*' },
        'Globs over server__tool, comma-separated; empty: no tools over /mcp.',
      )}
      {field('mcpPrompts', 'MCP prompts', { placeholder: 'everything__*' }, 'Globs over server__prompt; empty: none.')}
      {field(
        'mcpResources',
        'MCP resources',
        { placeholder: 'everything' },
        'Servers whose resources it may read; empty: none.',
      )}
      <div className="field inline">
        <input
          id={`${idPrefix}-mcpConfirmed`}
          type="checkbox"
          checked={d.mcpConfirmed}
          onChange={(e) => update({ mcpConfirmed: e.target.checked })}
        />
        <label htmlFor={`${idPrefix}-mcpConfirmed`}>May call MCP tools marked as needing confirmation</label>
      </div>
    </div>
  )
}

function CreateForm() {
  const d = useAppStore((s) => s.keyDraft)!
  const creating = useAppStore((s) => s.keyCreating)
  const apiError = useAppStore((s) => s.keyCreateError)
  const names = useQuery({ ...keysQuery(), select: (keys) => keys.map((k) => k.name) }).data ?? []
  const first = names.length === 0
  const a = useAppStore(
    useShallow((s) => ({ update: s.updateKeyDraft, create: s.createKey, discard: s.discardKeyDraft })),
  )
  const [showErrors, setShowErrors] = useState(false)
  const errors = showErrors ? keyDraftErrors(d, names) : {}
  return (
    <form
      className="panel stack"
      aria-labelledby="key-form-title"
      onSubmit={(e) => {
        e.preventDefault()
        setShowErrors(true)
        void a.create(names)
      }}
    >
      <h2 id="key-form-title">New key</h2>
      <KeyFields draft={d} update={a.update} errors={errors} idPrefix="key" isEdit={false} />
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

/** Edits a key's limits, budget, models, tags and expiry in place (PUT); its secret stays as it is. */
function EditDialog() {
  const edit = useAppStore((s) => s.keyEdit)
  const saving = useAppStore((s) => s.keySaving)
  const apiError = useAppStore((s) => s.keySaveError)
  const a = useAppStore(useShallow((s) => ({ update: s.updateKeyEdit, save: s.saveKeyEdit, cancel: s.cancelKeyEdit })))
  const [showErrors, setShowErrors] = useState(false)
  const open = edit !== null
  const ref = useModal(open)
  useEffect(() => {
    if (!open) setShowErrors(false)
  }, [open])
  if (!edit) return null
  const errors = showErrors ? keyDraftErrors(edit.draft, []) : {}
  return (
    <dialog ref={ref} className="panel key-edit-dialog" aria-labelledby="key-edit-title" onClose={a.cancel}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault()
          setShowErrors(true)
          void a.save()
        }}
      >
        <h2 id="key-edit-title">Edit key: {edit.original.name}</h2>
        <KeyFields draft={edit.draft} update={a.update} errors={errors} idPrefix="key-edit" isEdit />
        <p className="muted">The secret does not change; callers using it keep working under the new settings.</p>
        <div className="row">
          <button type="submit" className="button primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save changes'}
          </button>
          <button type="button" className="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          {apiError && (
            <span className="field-error" role="alert">
              {apiError}
            </span>
          )}
        </div>
      </form>
    </dialog>
  )
}

/** The secret, once: a modal that cannot be reopened; closing it forgets the secret. */
function SecretDialog() {
  const issued = useAppStore((s) => s.issuedSecret)
  const dismiss = useAppStore((s) => s.dismissSecret)
  const ref = useModal(Boolean(issued))
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

function KeysTab() {
  const list = useQuery(keysQuery())
  const keys = list.data ?? null
  // Solo mode without workspaces shows the page as it always was; once there are some, each key names its own.
  const workspaces = useQuery(workspacesQuery()).data
  const showWorkspace = hasWorkspaces(workspaces) || (keys ?? []).some((k) => k.workspace !== undefined)
  const error = list.error ? errorMessage(list.error) : null
  const drafting = useAppStore((s) => s.keyDraft !== null)
  const newKey = useAppStore((s) => s.newKey)
  return (
    <>
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
                {showWorkspace && <th scope="col">Workspace</th>}
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
                <KeyRow key={k.name} k={k} isLast={keys.length === 1} showWorkspace={showWorkspace} />
              ))}
            </tbody>
          </table>
        </section>
      )}
      <SecretDialog />
      <EditDialog />
    </>
  )
}

/** Each tab's content; Keys and Budgets read the same keys query. */
const TAB_CONTENT: Record<PolicyTab, () => ReactNode> = {
  keys: KeysTab,
  budgets: BudgetsTab,
  redaction: RedactionTab,
  cache: CacheTab,
  audit: AuditView,
}

export function KeysPage() {
  const hasKeys = useQuery({ ...keysQuery(), select: (keys) => keys.length > 0 }).data ?? false
  const showNewKey = useAppStore((s) => s.keyDraft === null) && hasKeys
  const newKey = useAppStore((s) => s.newKey)
  const tab = usePolicyTab()
  const Content = TAB_CONTENT[tab]
  return (
    <main className="page stack">
      <div className="page-header">
        <h1>Keys &amp; Policies</h1>
        <span className="spacer" />
        {tab === 'keys' && showNewKey && (
          <button type="button" className="button primary" onClick={newKey}>
            New key
          </button>
        )}
      </div>
      <PolicyTabs current={tab} />
      <div className="stack" role="tabpanel" id={POLICY_PANEL_ID} aria-labelledby={policyTabId(tab)}>
        <Content />
      </div>
    </main>
  )
}
