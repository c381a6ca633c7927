import { queryOptions } from '@tanstack/react-query'
import { mcpPlaygroundApi } from '../api/mcp-playground'

/** Servers come and go (started, stopped, restarted), so the Playground's tool list is read again every 5 s. */
export const MCP_TOOLS_REFRESH_MS = 5000

export const mcpPlaygroundToolsQuery = () =>
  queryOptions({
    queryKey: ['mcp', 'playground-tools'] as const,
    queryFn: async ({ signal }) => (await mcpPlaygroundApi.tools(signal)).items,
    refetchInterval: MCP_TOOLS_REFRESH_MS,
  })
