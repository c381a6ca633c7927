import type {
  McpServerInput,
  McpServerItem,
  McpServerList,
  McpServerUpdate,
  McpTestBody,
  McpTestResult,
} from '../../../src-shared/contract/mcp'
import { getJson, sendJson } from './client'

const enc = encodeURIComponent

/** The MCP hub's upstream servers: their config (env and header values masked) and live state. */
export const mcpApi = {
  list: (signal?: AbortSignal) => getJson<McpServerList>('/admin/v1/mcp/servers', signal),
  create: (s: McpServerInput) => sendJson<McpServerItem>('POST', '/admin/v1/mcp/servers', s),
  update: (name: string, s: McpServerUpdate) => sendJson<McpServerItem>('PUT', `/admin/v1/mcp/servers/${enc(name)}`, s),
  remove: (name: string) => sendJson<null>('DELETE', `/admin/v1/mcp/servers/${enc(name)}`),
  setEnabled: (name: string, enabled: boolean) =>
    sendJson<McpServerItem>('POST', `/admin/v1/mcp/servers/${enc(name)}/${enabled ? 'enable' : 'disable'}`),
  test: (s: McpTestBody) => sendJson<McpTestResult>('POST', '/admin/v1/mcp/test', s),
}
