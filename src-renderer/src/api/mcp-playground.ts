import type { McpCallBody, McpCallResult, McpPlaygroundTools } from '../../../src-shared/contract/mcp-playground'
import { getJson, sendJson } from './client'

/** The MCP hub's tools for the Playground: what the ready servers offer, and one call run through the hub. */
export const mcpPlaygroundApi = {
  tools: (signal?: AbortSignal) => getJson<McpPlaygroundTools>('/admin/v1/mcp/tools', signal),
  call: (body: McpCallBody) => sendJson<McpCallResult>('POST', '/admin/v1/mcp/call', body),
}
