import { queryOptions } from '@tanstack/react-query'
import type { ListPage, WorkspaceItem } from '../../../src-shared/admin-api'
import { getJson } from '../api/client'

/** The workspaces keys can belong to (`default` always among them), with their key counts. */
export const workspacesQuery = () =>
  queryOptions({
    queryKey: ['workspaces', 'list'] as const,
    queryFn: async ({ signal }) => (await getJson<ListPage<WorkspaceItem>>('/admin/v1/workspaces', signal)).items,
  })

/** Whether workspaces are in use: any besides `default`, which every key is in until one is configured. */
export const hasWorkspaces = (items: readonly WorkspaceItem[] | undefined): boolean =>
  (items ?? []).some((w) => w.id !== 'default')
