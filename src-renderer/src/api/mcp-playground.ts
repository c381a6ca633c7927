import type { McpCallBody, McpCallResult, McpPlaygroundTools } from '../../../src-shared/contract/mcp-playground'
import { getJson, sendJson } from './client'

/** The MCP hub's tools for the Playground: what the ready servers offer, and one call run through the hub. */
export const mcpPlaygroundApi = {
  tools: (signal?: AbortSignal) => getJson<McpPlaygroundTools>('/admin/v1/mcp/tools', signal),
  /** Aborting `signal` ends the call: the gateway cancels it at the tool server. */
  call: (body: McpCallBody, signal?: AbortSignal) =>
    sendJson<McpCallResult>('POST', '/admin/v1/mcp/call', body, signal),
}
