/** What the hub tells of its upstream servers: the shapes the /mcp endpoint and the admin API build on. */
export type McpTransportKind = 'stdio' | 'streamable-http' | 'sse'
export type McpServerState = 'disabled' | 'starting' | 'ready' | 'restarting' | 'failed'

export interface McpToolInfo {
  name: string
  title?: string
  description?: string
  inputSchema: Record<string, unknown>
  outputSchema?: Record<string, unknown>
  annotations?: Record<string, unknown>
  /** The server config's `confirm` globs match this tool's name. */
  needsConfirmation: boolean
}

export interface McpPromptInfo {
  name: string
  title?: string
  description?: string
  arguments?: { name: string; description?: string; required?: boolean }[]
}

export interface McpResourceInfo {
  uri: string
  name?: string
  title?: string
  description?: string
  mimeType?: string
}

export interface McpResourceTemplateInfo {
  uriTemplate: string
  name?: string
  description?: string
  mimeType?: string
}

export interface McpServerStatus {
  name: string
  transport: McpTransportKind
  enabled: boolean
  state: McpServerState
  tools: McpToolInfo[]
  prompts: McpPromptInfo[]
  resources: McpResourceInfo[]
  resourceTemplates: McpResourceTemplateInfo[]
  /** Newest last, at most 20, secrets scrubbed. */
  errors: { at: number; message: string }[]
  /** stdio only: the last 200 lines, each at most 1 000 characters, secrets scrubbed. */
  stderrTail: string[]
  restarts: number
  /** While `restarting`: when the next attempt starts (the backoff's delay after the drop or failure). */
  nextRetryAt?: number
  connectedAt?: number
  serverInfo?: { name: string; version: string }
}

export type McpChange = 'tools' | 'prompts' | 'resources' | 'state'
