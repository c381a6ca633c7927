import { useMutation, useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import type { OnExceed } from '../../../../src-shared/contract/budgets'
import { errorMessage } from '../../api/client'
import type { WorkspaceView } from '../../api/team'
import { formatUsd } from '../../format'
import { deleteWorkspace, saveWorkspace, workspacesQuery } from '../../queries/team'
import { BudgetBar } from '../keys/BudgetBar'
import { Confirm } from './Confirm'
import { RowFormActions, TeamPanel } from './TeamPanel'

/** Workspace ids follow provider ids (board s8): they appear in config files and URLs. */
const WORKSPACE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/

function CreateForm({ onDone }: { onDone(): void }) {
  const [id, setId] = useState('')
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: () =>
      saveWorkspace(id, { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) }),
    onSuccess: onDone,
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const bad = !WORKSPACE_ID.test(id)
      ? 'The id is lowercase letters, digits, - and _, starting with a letter or digit.'
      : !name.trim()
        ? 'Give it a name.'
        : null
    setProblem(bad)
    if (!bad) save.mutate()
  }
  const error = problem ?? (save.error ? errorMessage(save.error) : null)
  return (
    <form className="stack team-add" onSubmit={submit} aria-labelledby="create-ws-title" aria-busy={save.isPending}>
      <h3 id="create-ws-title">Create workspace</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="ws-id">Id</label>
          <input
            id="ws-id"
            maxLength={64}
            spellCheck={false}
            placeholder="team-a"
            value={id}
            onChange={(e) => setId(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="ws-name">Name</label>
          <input id="ws-name" maxLength={128} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ws-description">Description</label>
          <input
            id="ws-description"
            maxLength={1000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          Create workspace
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}

function Rename({ w, onDone }: { w: WorkspaceView; onDone(): void }) {
  const [name, setName] = useState(w.name)
  const save = useMutation({
    mutationFn: () =>
      saveWorkspace(w.id, { name: name.trim(), ...(w.description ? { description: w.description } : {}) }),
    onSuccess: onDone,
  })
  return (
    <form
      className="team-inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (name.trim()) save.mutate()
      }}
    >
      <div className="field">
        <label htmlFor={`ws-rename-${w.id}`}>New name of {w.id}</label>
        <input id={`ws-rename-${w.id}`} maxLength={128} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <button type="submit" className="small primary" disabled={save.isPending || !name.trim()}>
        Save
      </button>
      <button type="button" className="small" onClick={onDone}>
        Cancel
      </button>
      {save.error && (
        <p className="field-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </form>
  )
}

type Period = 'day' | 'week' | 'month' | 'total'
const PERIODS: Period[] = ['day', 'week', 'month', 'total']
/** The highest budget alert threshold a share of the budget has reached, as the gateway raises them. */
const alertLevel = (pct: number): 0 | 50 | 80 | 100 => ([100, 80, 50] as const).find((t) => pct >= t) ?? 0

/** A workspace's spend this period against its budget, drawn like a key's. */
function WorkspaceBudget({ w }: { w: WorkspaceView }) {
  if (!w.budget) return <span className="muted">none</span>
  const spent = w.spent ?? 0
  const pct = w.budget.usd > 0 ? (spent / w.budget.usd) * 100 : spent > 0 ? 100 : 0
  const budget = {
    ...w.budget,
    onExceed: (w.budget.onExceed ?? 'block') as OnExceed,
    spentUsd: spent,
    percentUsed: pct,
    alertLevel: alertLevel(pct),
  }
  return <BudgetBar keyName={w.id} budget={budget} />
}

function limitsText(w: WorkspaceView): string | null {
  const parts = [w.limits?.rpm && `${w.limits.rpm} rpm`, w.limits?.tpm && `${w.limits.tpm} tpm`].filter(Boolean)
  return parts.length > 0 ? parts.join(' · ') : null
}

/** A positive whole number from a field, or null when empty; undefined when it is not one. */
function wholeOrEmpty(text: string): number | null | undefined {
  if (!text.trim()) return null
  const n = Number(text)
  return Number.isInteger(n) && n >= 1 ? n : undefined
}

/** Edits what all the workspace's calls together may spend and how fast (its keys keep their own as well). */
function BudgetForm({ w, onDone }: { w: WorkspaceView; onDone(): void }) {
  const [usd, setUsd] = useState(w.budget ? String(w.budget.usd) : '')
  const [period, setPeriod] = useState<Period>(w.budget?.period ?? 'month')
  const onExceed = w.budget?.onExceed ?? 'block'
  const [downgrade, setDowngrade] = useState(
    onExceed.startsWith('downgrade:') ? onExceed.slice('downgrade:'.length) : '',
  )
  const [rpm, setRpm] = useState(w.limits?.rpm ? String(w.limits.rpm) : '')
  const [tpm, setTpm] = useState(w.limits?.tpm ? String(w.limits.tpm) : '')
  const [problem, setProblem] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: (body: Parameters<typeof saveWorkspace>[1]) => saveWorkspace(w.id, body),
    onSuccess: onDone,
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const amount = usd.trim() ? Number(usd) : null
    const r = wholeOrEmpty(rpm)
    const t = wholeOrEmpty(tpm)
    const model = downgrade.trim()
    const bad =
      amount !== null && !(Number.isFinite(amount) && amount >= 0)
        ? 'The budget is an amount in USD (0 or more), or empty for none.'
        : r === undefined || t === undefined
          ? 'Limits are whole numbers from 1, or empty for none.'
          : model && !/^[^/]+\/.+$/.test(model)
            ? 'The downgrade model is provider/model.'
            : null
    setProblem(bad)
    if (bad) return
    save.mutate({
      name: w.name,
      budget: amount === null ? null : { usd: amount, period, onExceed: model ? `downgrade:${model}` : 'block' },
      limits: r === null && t === null ? null : { ...(r ? { rpm: r } : {}), ...(t ? { tpm: t } : {}) },
    })
  }
  const error = problem ?? (save.error ? errorMessage(save.error) : null)
  const at = (field: string) => `ws-${field}-${w.id}`
  return (
    <form className="stack team-add" onSubmit={submit} aria-label={`Budget and limits of ${w.name}`}>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={at('usd')}>Budget (USD)</label>
          <input
            id={at('usd')}
            inputMode="decimal"
            placeholder="none"
            value={usd}
            onChange={(e) => setUsd(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={at('period')}>Budget period</label>
          <select id={at('period')} value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={at('downgrade')}>Once spent, downgrade to</label>
          <input
            id={at('downgrade')}
            maxLength={256}
            spellCheck={false}
            placeholder="block (or provider/model)"
            value={downgrade}
            onChange={(e) => setDowngrade(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={at('rpm')}>Requests per minute</label>
          <input
            id={at('rpm')}
            inputMode="numeric"
            placeholder="no limit"
            value={rpm}
            onChange={(e) => setRpm(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={at('tpm')}>Tokens per minute</label>
          <input
            id={at('tpm')}
            inputMode="numeric"
            placeholder="no limit"
            value={tpm}
            onChange={(e) => setTpm(e.target.value)}
          />
        </div>
      </div>
      <p className="muted">
        Counts every call of every key in the workspace and the UI's calls made in it
        {w.budget ? `; spent this period: ${formatUsd(w.spent ?? 0)}` : ''}.
      </p>
      <RowFormActions error={error} submitLabel="Save" disabled={save.isPending} onCancel={onDone} />
    </form>
  )
}

function WorkspaceRow({ w }: { w: WorkspaceView }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'budget' | 'delete'>('view')
  const limits = limitsText(w)
  return (
    <tr aria-label={w.name} data-testid="workspace-row" data-workspace={w.id}>
      <th scope="row">{w.name}</th>
      <td className="mono">{w.id}</td>
      <td>{w.description ?? <span className="muted">—</span>}</td>
      <td className="num">{w.keyCount}</td>
      <td data-testid="workspace-budget">
        <WorkspaceBudget w={w} />
        {limits && <div className="muted">{limits}</div>}
      </td>
      <td>
        {mode === 'view' && (
          <div className="actions">
            <button type="button" className="small" onClick={() => setMode('rename')} aria-label={`Rename ${w.name}`}>
              Rename
            </button>
            <button
              type="button"
              className="small"
              onClick={() => setMode('budget')}
              aria-label={`Budget and limits of ${w.name}`}
            >
              Budget
            </button>
            {/* `default` always exists. Whatever still uses another (keys, routes, members) the gateway's 409 names. */}
            {w.id !== 'default' && (
              <button
                type="button"
                className="small danger"
                onClick={() => setMode('delete')}
                aria-label={`Delete ${w.name}`}
              >
                Delete
              </button>
            )}
          </div>
        )}
        {mode === 'rename' && <Rename w={w} onDone={() => setMode('view')} />}
        {mode === 'budget' && <BudgetForm w={w} onDone={() => setMode('view')} />}
        {mode === 'delete' && (
          <Confirm
            text={`Delete workspace ${w.name}? Members lose it from their workspaces.`}
            yes="Yes, delete"
            danger
            action={() => deleteWorkspace(w.id)}
            onDone={() => setMode('view')}
          />
        )}
      </td>
    </tr>
  )
}

/** Settings → Team → Workspaces: each team's own keys, logs and prompts (issue 21). */
export function WorkspacesPanel() {
  const list = useQuery(workspacesQuery())
  const [creating, setCreating] = useState(false)
  return (
    <TeamPanel
      id="ws"
      title="Workspaces"
      noun="workspaces"
      addLabel="+ Create workspace"
      canAdd={!creating}
      onAdd={() => setCreating(true)}
      form={creating && <CreateForm onDone={() => setCreating(false)} />}
      list={list}
      columns={['Name', 'Id', 'Description', { label: 'Keys', num: true }, 'Budget this period', 'Actions']}
      rows={list.data?.map((w) => <WorkspaceRow key={w.id} w={w} />) ?? null}
    />
  )
}
