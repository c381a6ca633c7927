import { useQuery } from '@tanstack/react-query'
import { useEffect, useId } from 'react'
import { queryClient } from '../../api/query-client'
import { workspacesQuery } from '../../queries/team'
import { useAppStore } from '../../store'

/**
 * Team mode's workspace switcher, under the account button: the workspace the Playground's calls are made in and
 * new things land in (every call names it). Shown only when there is a choice: a member of several workspaces, or
 * an admin once the config has more than `default` (the gateway lists a member's own workspaces only).
 */
export function WorkspaceSwitcher() {
  const principal = useAppStore((s) => s.principal)
  const chosen = useAppStore((s) => s.workspace)
  const choose = useAppStore((s) => s.chooseWorkspace)
  const list = useQuery(workspacesQuery())
  const id = useId()
  const items = list.data ?? []

  // A workspace deleted since, or taken from this member, is no longer theirs to act in.
  const gone = list.data !== undefined && chosen !== null && !list.data.some((w) => w.id === chosen)
  useEffect(() => {
    if (gone) choose(null)
  }, [gone, choose])

  if (!principal || items.length < 2) return null
  // Without a choice the gateway uses `default` for an admin and a member's first workspace in id order.
  const fallback = principal.workspaces === 'all' ? 'default' : [...items.map((w) => w.id)].sort()[0]
  const current = chosen !== null && !gone ? chosen : fallback
  return (
    <div className="field workspace-switcher">
      <label htmlFor={id}>Workspace</label>
      <select
        id={id}
        value={current}
        onChange={(e) => {
          choose(e.target.value)
          // Every list was read in the other workspace's name: read them again in this one's.
          void queryClient.resetQueries()
        }}
      >
        {items.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </div>
  )
}
