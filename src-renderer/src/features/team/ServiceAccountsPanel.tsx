import { useMutation, useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../api/client'
import type { ServiceAccountView } from '../../api/team'
import { CopyButton } from '../../components/CopyButton'
import { formatDateTime } from '../../format'
import { createServiceAccount, deleteServiceAccount, serviceAccountsQuery } from '../../queries/team'
import { Confirm } from './Confirm'
import { TeamPanel } from './TeamPanel'
import { seesAllWorkspaces, WorkspacePicker, workspacesText } from './WorkspacePicker'

/** Service accounts act for CI and are never owners (the gateway refuses one). */
type ServiceRole = ServiceAccountView['role']
const SERVICE_ROLES: readonly ServiceRole[] = ['admin', 'developer', 'viewer']

/** The one time the token is shown: the gateway keeps only its hash. */
function TokenReveal({ name, token, onDone }: { name: string; token: string; onDone(): void }) {
  return (
    <div className="stack team-add" role="status">
      <p className="success">✔ Service account {name} created.</p>
      <p>
        Its token, for <code>Authorization: Bearer …</code> on the admin API. <strong>You will not see it again</strong>
        : store it in your CI's secrets now.
      </p>
      <div className="row">
        <code className="totp-secret" data-testid="service-token">
          {token}
        </code>
        <CopyButton text={token} label="Copy token" />
      </div>
      <div>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  )
}

function CreateForm({ onCreated, onCancel }: { onCreated(name: string, token: string): void; onCancel(): void }) {
  const [name, setName] = useState('')
  const [role, setRole] = useState<ServiceRole>('developer')
  const [workspaces, setWorkspaces] = useState<string[]>(['default'])
  const create = useMutation({
    mutationFn: createServiceAccount,
    onSuccess: (created) => onCreated(created.name, created.token),
  })
  const [problem, setProblem] = useState<string | null>(null)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!name.trim()) return setProblem('Name it after what uses it, e.g. "ci-nightly".')
    setProblem(null)
    create.mutate({ name: name.trim(), role, workspaces: seesAllWorkspaces(role) ? [] : workspaces })
  }
  const error = problem ?? (create.error ? errorMessage(create.error) : null)
  return (
    <form className="stack team-add" onSubmit={submit} aria-labelledby="create-sa-title" aria-busy={create.isPending}>
      <h3 id="create-sa-title">Create service account</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="sa-name">Name</label>
          <input id="sa-name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sa-role">Role</label>
          <select id="sa-role" value={role} onChange={(e) => setRole(e.target.value as ServiceRole)}>
            {SERVICE_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      </div>
      <WorkspacePicker idPrefix="sa" role={role} value={workspaces} onChange={setWorkspaces} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

function AccountRow({ s }: { s: ServiceAccountView }) {
  const [confirming, setConfirming] = useState(false)
  return (
    <tr aria-label={s.name}>
      <th scope="row">{s.name}</th>
      <td>
        <span className="role-chip" data-role={s.role}>
          {s.role}
        </span>
      </td>
      <td>{workspacesText(s.role, s.workspaces)}</td>
      <td>{formatDateTime(s.createdAt)}</td>
      <td>{s.lastUsedAt ? formatDateTime(s.lastUsedAt) : <span className="muted">never</span>}</td>
      <td>
        {confirming ? (
          <Confirm
            text={`Delete ${s.name}? Its token stops working at once.`}
            yes="Yes, delete"
            danger
            action={() => deleteServiceAccount(s.id)}
            onDone={() => setConfirming(false)}
          />
        ) : (
          <button
            type="button"
            className="small danger"
            onClick={() => setConfirming(true)}
            aria-label={`Delete ${s.name}`}
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  )
}

/** Settings → Team → Service accounts: tokens for CI, each acting with its own role. */
export function ServiceAccountsPanel() {
  const list = useQuery(serviceAccountsQuery())
  const [creating, setCreating] = useState(false)
  const [revealed, setRevealed] = useState<{ name: string; token: string } | null>(null)
  return (
    <TeamPanel
      id="sa"
      title="Service accounts"
      noun="service accounts"
      addLabel="+ Create service account"
      canAdd={!creating && !revealed}
      onAdd={() => setCreating(true)}
      form={
        <>
          {revealed && <TokenReveal {...revealed} onDone={() => setRevealed(null)} />}
          {creating && (
            <CreateForm
              onCancel={() => setCreating(false)}
              onCreated={(name, token) => {
                setCreating(false)
                setRevealed({ name, token })
              }}
            />
          )}
        </>
      }
      list={list}
      columns={['Name', 'Role', 'Workspaces', 'Created', 'Last used', 'Actions']}
      rows={list.data?.map((s) => <AccountRow key={s.id} s={s} />) ?? null}
      empty={
        creating ? null : (
          <p className="muted">
            None yet. Create one for a CI job that reads logs or manages keys through the admin API.
          </p>
        )
      }
    />
  )
}
