import { useMutation, useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { errorMessage } from '../../api/client'
import type { WorkspaceView } from '../../api/team'
import { deleteWorkspace, saveWorkspace, workspacesQuery } from '../../queries/team'
import { Confirm } from './Confirm'
import { TeamPanel } from './TeamPanel'

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

function WorkspaceRow({ w }: { w: WorkspaceView }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view')
  return (
    <tr aria-label={w.name} data-testid="workspace-row" data-workspace={w.id}>
      <th scope="row">{w.name}</th>
      <td className="mono">{w.id}</td>
      <td>{w.description ?? <span className="muted">—</span>}</td>
      <td className="num">{w.keyCount}</td>
      <td>
        {mode === 'view' && (
          <div className="actions">
            <button type="button" className="small" onClick={() => setMode('rename')} aria-label={`Rename ${w.name}`}>
              Rename
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
      columns={['Name', 'Id', 'Description', { label: 'Keys', num: true }, 'Actions']}
      rows={list.data?.map((w) => <WorkspaceRow key={w.id} w={w} />) ?? null}
    />
  )
}
