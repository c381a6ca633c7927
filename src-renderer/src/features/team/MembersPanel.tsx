import { useMutation, useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { ROLES, type Role } from '../../../../src-shared/contract/team'
import { errorMessage } from '../../api/client'
import type { MemberView } from '../../api/team'
import { teamApi } from '../../api/team'
import { formatDateTime } from '../../format'
import { addMember, membersQuery, removeMember, resetMemberTotp, updateMember } from '../../queries/team'
import { useAppStore } from '../../store'
import { Confirm } from './Confirm'
import { MAX_PASSWORD, MIN_PASSWORD } from './password-strength'
import { RowFormActions, TeamPanel } from './TeamPanel'
import { seesAllWorkspaces, WorkspacePicker, workspacesText } from './WorkspacePicker'

/** A temporary password to hand to a new member: 18 characters from a 55-letter alphabet (~104 bits). */
export function temporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  // 256 % 57 bias is under 0.5 bit over the whole password: not worth rejection sampling for a temporary one.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}

/** The roles the signed-in person may hand out: an admin cannot make (or change, or remove) an owner. */
function assignableRoles(myRole: Role | undefined): readonly Role[] {
  return myRole === 'owner' ? ROLES : ROLES.filter((r) => r !== 'owner')
}

function TemporaryPasswordField(props: { id: string; value: string; onChange(v: string): void }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>Temporary password</label>
      <div className="row">
        <input
          id={props.id}
          type="text"
          autoComplete="off"
          spellCheck={false}
          minLength={MIN_PASSWORD}
          maxLength={MAX_PASSWORD}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
        <button type="button" className="small" onClick={() => props.onChange(temporaryPassword())}>
          Generate
        </button>
      </div>
      <p className="field-hint">Pass it on privately; they change it under their name → Change password.</p>
    </div>
  )
}

function AddMemberForm({ onDone }: { onDone(): void }) {
  const myRole = useAppStore((s) => s.principal?.role)
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('developer')
  const [workspaces, setWorkspaces] = useState<string[]>(['default'])
  const [password, setPassword] = useState(temporaryPassword)
  const add = useMutation({ mutationFn: addMember, onSuccess: onDone })
  const [problem, setProblem] = useState<string | null>(null)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const missing = !name.trim()
      ? 'Enter their name.'
      : !email.trim()
        ? 'Enter their email.'
        : password.length < MIN_PASSWORD
          ? `The temporary password needs at least ${MIN_PASSWORD} characters.`
          : null
    setProblem(missing)
    if (missing) return
    add.mutate({
      name: name.trim(),
      email: email.trim(),
      role,
      workspaces: seesAllWorkspaces(role) ? [] : workspaces,
      password,
    })
  }
  const error = problem ?? (add.error ? errorMessage(add.error) : null)
  return (
    <form className="stack team-add" onSubmit={submit} aria-busy={add.isPending} aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add member</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="member-name">Name</label>
          <input id="member-name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="member-email">Email</label>
          <input
            id="member-email"
            type="email"
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="member-role">Role</label>
          <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {assignableRoles(myRole).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <TemporaryPasswordField id="member-password" value={password} onChange={setPassword} />
      </div>
      <WorkspacePicker idPrefix="member" role={role} value={workspaces} onChange={setWorkspaces} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}

type RowMode = 'view' | 'edit' | 'password' | 'totp' | 'sign-out' | 'remove'

function EditMember({ m, onDone }: { m: MemberView; onDone(): void }) {
  const myRole = useAppStore((s) => s.principal?.role)
  const [role, setRole] = useState<Role>(m.role)
  const [workspaces, setWorkspaces] = useState<string[]>(m.workspaces)
  const save = useMutation({
    mutationFn: () => updateMember(m.id, { role, workspaces: seesAllWorkspaces(role) ? [] : workspaces }),
    onSuccess: onDone,
  })
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      <div className="field">
        <label htmlFor={`role-${m.id}`}>Role of {m.name}</label>
        <select id={`role-${m.id}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {assignableRoles(myRole).map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <WorkspacePicker idPrefix={`edit-${m.id}`} role={role} value={workspaces} onChange={setWorkspaces} />
      <RowFormActions
        error={save.error ? errorMessage(save.error) : null}
        submitLabel="Save"
        disabled={save.isPending}
        onCancel={onDone}
      />
    </form>
  )
}

function ResetPassword({ m, onDone }: { m: MemberView; onDone(): void }) {
  const [password, setPassword] = useState(temporaryPassword)
  const reset = useMutation({ mutationFn: () => teamApi.resetPassword(m.id, password) })
  if (reset.isSuccess) {
    return (
      <div className="stack" role="status">
        <p className="success">✔ New password set; {m.name}'s sessions were ended.</p>
        <div>
          <button type="button" className="small" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    )
  }
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault()
        reset.mutate()
      }}
    >
      <TemporaryPasswordField id={`reset-${m.id}`} value={password} onChange={setPassword} />
      <p className="field-hint">This signs {m.name} out everywhere.</p>
      <RowFormActions
        error={reset.error ? errorMessage(reset.error) : null}
        submitLabel="Set password"
        disabled={reset.isPending || password.length < MIN_PASSWORD}
        onCancel={onDone}
      />
    </form>
  )
}

function MemberRow({ m }: { m: MemberView }) {
  const me = useAppStore((s) => s.principal)
  const [mode, setMode] = useState<RowMode>('view')
  const self = me?.kind === 'person' && me.id === m.id
  // The gateway refuses an admin's change to an owner; the buttons are not offered for it.
  const locked = me?.role === 'admin' && m.role === 'owner'
  const back = () => setMode('view')
  return (
    <tr aria-label={m.name} data-testid="member-row" data-email={m.email}>
      <th scope="row">
        {m.name}
        {self && <span className="muted"> (you)</span>}
        {m.disabled && <span className="badge"> disabled</span>}
      </th>
      <td>{m.email}</td>
      <td>
        <span className="role-chip" data-role={m.role}>
          {m.role}
        </span>
      </td>
      <td>{workspacesText(m.role, m.workspaces)}</td>
      <td>{m.source === 'sso' ? 'SSO' : 'local'}</td>
      <td>{m.totp ? '✔ on' : '○ off'}</td>
      <td>{m.lastSeenAt ? formatDateTime(m.lastSeenAt) : <span className="muted">never</span>}</td>
      <td>
        {mode === 'view' && !locked && (
          <div className="actions">
            <button type="button" className="small" onClick={() => setMode('edit')} aria-label={`Edit ${m.name}`}>
              Edit
            </button>
            {m.source === 'local' && !self && (
              <button
                type="button"
                className="small"
                onClick={() => setMode('password')}
                aria-label={`Reset password of ${m.name}`}
              >
                Reset password
              </button>
            )}
            {m.totp && !self && (
              <button
                type="button"
                className="small"
                onClick={() => setMode('totp')}
                aria-label={`Reset two-factor of ${m.name}`}
              >
                Reset two-factor
              </button>
            )}
            <button
              type="button"
              className="small"
              onClick={() => setMode('sign-out')}
              aria-label={`Sign out ${m.name} everywhere`}
            >
              Sign out everywhere
            </button>
            {!self && (
              <button
                type="button"
                className="small danger"
                onClick={() => setMode('remove')}
                aria-label={`Remove ${m.name}`}
              >
                Remove
              </button>
            )}
          </div>
        )}
        {mode === 'view' && locked && <span className="muted">Only owners change owners.</span>}
        {mode === 'edit' && <EditMember m={m} onDone={back} />}
        {mode === 'password' && <ResetPassword m={m} onDone={back} />}
        {mode === 'totp' && (
          <Confirm
            text={`Turn off two-factor for ${m.name}? They sign in with their password alone until they enrol again; their sessions end.`}
            yes="Yes, reset two-factor"
            danger
            action={() => resetMemberTotp(m.id)}
            doneText={`✔ Two-factor is off for ${m.name}; they were signed out everywhere.`}
            onDone={back}
          />
        )}
        {mode === 'sign-out' && (
          <Confirm
            text={`End every session of ${m.name}? They sign in again.`}
            yes="Yes, sign out"
            action={() => teamApi.signOutMember(m.id)}
            doneText={`✔ ${m.name} is signed out everywhere.`}
            onDone={back}
          />
        )}
        {mode === 'remove' && (
          <Confirm
            text={`Remove ${m.name}? They lose access at once; their past calls stay in the logs.`}
            yes="Yes, remove"
            danger
            action={() => removeMember(m.id)}
            onDone={back}
          />
        )}
      </td>
    </tr>
  )
}

/** Settings → Team → Members: who may sign in, as what, into which workspaces. */
export function MembersPanel() {
  const list = useQuery(membersQuery())
  const [adding, setAdding] = useState(false)
  return (
    <TeamPanel
      id="members"
      title="Members"
      noun="members"
      addLabel="+ Add member"
      addPrimary
      canAdd={!adding}
      onAdd={() => setAdding(true)}
      form={adding && <AddMemberForm onDone={() => setAdding(false)} />}
      list={list}
      columns={['Name', 'Email', 'Role', 'Workspaces', 'Source', 'Two-factor', 'Last seen', 'Actions']}
      rows={list.data?.map((m) => <MemberRow key={m.id} m={m} />) ?? null}
    />
  )
}
