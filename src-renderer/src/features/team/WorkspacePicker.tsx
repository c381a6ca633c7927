import { useQuery } from '@tanstack/react-query'
import type { Role } from '../../../../src-shared/contract/team'
import { errorMessage } from '../../api/client'
import { workspacesQuery } from '../../queries/team'

/** Owners and admins see every workspace; only developers and viewers are limited to the ones chosen. */
export const seesAllWorkspaces = (role: Role): boolean => role === 'owner' || role === 'admin'

export function workspacesText(role: Role, workspaces: string[]): string {
  if (seesAllWorkspaces(role)) return 'all'
  return workspaces.length ? workspaces.join(', ') : 'none'
}

/** The workspaces a developer or viewer belongs to, as checkboxes; owners and admins need none. */
export function WorkspacePicker(props: { idPrefix: string; role: Role; value: string[]; onChange(v: string[]): void }) {
  const list = useQuery(workspacesQuery())
  if (seesAllWorkspaces(props.role)) {
    return <p className="field-hint">Owners and admins see every workspace.</p>
  }
  if (list.error) return <p className="error">Could not load workspaces: {errorMessage(list.error)}</p>
  const ids = list.data?.map((w) => w.id) ?? ['default']
  const toggle = (id: string, on: boolean) =>
    props.onChange(on ? [...props.value.filter((v) => v !== id), id] : props.value.filter((v) => v !== id))
  return (
    <fieldset className="workspace-choices" aria-busy={list.isPending}>
      <legend>Workspaces</legend>
      {ids.map((id) => (
        <label key={id}>
          <input
            type="checkbox"
            id={`${props.idPrefix}-ws-${id}`}
            checked={props.value.includes(id)}
            onChange={(e) => toggle(id, e.target.checked)}
          />
          {list.data?.find((w) => w.id === id)?.name ?? id}
        </label>
      ))}
    </fieldset>
  )
}
