import { queryOptions } from '@tanstack/react-query'
import type { McpServerInput, McpServerUpdate } from '../../../src-shared/contract/mcp'
import { mcpApi } from '../api/mcp'
import { queryClient } from '../api/query-client'

export const mcpServersKey = () => ['mcp', 'servers'] as const

/**
 * A server's state moves on its own (starting → ready, a crash and its restart), so the list is read again every
 * 2 s while the page shows it; TanStack Query stops when the page unmounts and while the window is hidden.
 */
export const MCP_REFRESH_MS = 2000

export const mcpServersQuery = () =>
  queryOptions({
    queryKey: mcpServersKey(),
    queryFn: async ({ signal }) => (await mcpApi.list(signal)).items,
    refetchInterval: MCP_REFRESH_MS,
  })

const changed = () => queryClient.invalidateQueries({ queryKey: ['mcp'] })

/** Adds a server, or saves an edit (PUT: what the form shows; its emptied fields as `null`). */
export async function saveMcpServer(input: McpServerInput, editing: boolean): Promise<void> {
  if (editing) {
    const { name, ...rest } = input
    await mcpApi.update(name, rest as McpServerUpdate)
  } else await mcpApi.create(input)
  await changed()
}

export async function setMcpServerEnabled(name: string, enabled: boolean): Promise<void> {
  await mcpApi.setEnabled(name, enabled)
  await changed()
}

export async function deleteMcpServer(name: string): Promise<void> {
  await mcpApi.remove(name)
  await changed()
}
