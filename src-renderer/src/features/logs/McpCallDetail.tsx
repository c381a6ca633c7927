import type { LogDetail } from '../../../../src-shared/admin-api'
import { formatDuration } from '../../format'
import { toolLabel } from '../sessions/session-filters'

/** A tool call through the MCP hub: its row has `inboundApi: 'mcp'`, its server as provider and tool as model. */
export const isMcpCall = (d: { inboundApi: string }): boolean => d.inboundApi === 'mcp'

interface StoredMcpRequest {
  method?: string
  params?: { name?: string; arguments?: unknown; uri?: string }
  sessionId?: string
}

/** The stored request as the gateway's call log wrote it (mcp/call-log.ts); null when none or unreadable. */
function storedRequest(body: unknown): StoredMcpRequest | null {
  return body !== null && typeof body === 'object' ? (body as StoredMcpRequest) : null
}

/** What the Arguments tab shows: the tool's arguments (a prompt's too, a resource's URI), else the stored text. */
export function mcpArguments(d: LogDetail): unknown {
  const req = storedRequest(d.requestBody)
  if (!req?.params) return d.requestBody
  return req.method === 'resources/read' ? { uri: req.params.uri } : (req.params.arguments ?? {})
}

/** The Overview tab of a tool call: server, tool, what the client called it, the outcome, who called. */
export function McpCallOverview({ d }: { d: LogDetail }) {
  const req = storedRequest(d.requestBody)
  // A result the server marked isError is answered with status 200 and logged with its message.
  const failed = d.status >= 400 || d.error !== null
  return (
    <dl className="kv" data-testid="mcp-call-overview">
      <dt>Time</dt>
      <dd>
        {new Date(d.createdAt).toLocaleString('en-US')} <span className="muted">({d.createdAt})</span>
      </dd>
      <dt>Status</dt>
      <dd className={failed ? 'status-err' : 'status-ok'}>
        {failed ? '✘' : '✔'} {d.status}
        {d.status < 400 && d.error !== null ? ' (the tool reported an error)' : ''}
      </dd>
      {d.error && (
        <>
          <dt>Error</dt>
          <dd className="status-err">{d.error}</dd>
        </>
      )}
      <dt>Server</dt>
      {/* A tool no configured server offers is logged with an empty server. */}
      <dd data-testid="mcp-server">{d.provider || <span className="muted">none (no server offers this tool)</span>}</dd>
      <dt>{req?.method === 'resources/read' ? 'Resource' : req?.method === 'prompts/get' ? 'Prompt' : 'Tool'}</dt>
      <dd data-testid="mcp-tool">{d.model ?? '—'}</dd>
      <dt>Called as</dt>
      <dd>
        <code>{d.requestedModel ?? '—'}</code>
        {req?.method ? <span className="muted"> · {req.method}</span> : null}
      </dd>
      <dt>Duration</dt>
      <dd>{formatDuration(d.latencyMs)}</dd>
      <dt>Key</dt>
      <dd>{d.keyName ?? '—'}</dd>
      <dt>Client</dt>
      <dd>{toolLabel(d.clientTool)}</dd>
      {req?.sessionId && (
        <>
          <dt>MCP session</dt>
          <dd>
            <code>{req.sessionId}</code>
          </dd>
        </>
      )}
      <dt>Request id</dt>
      <dd>
        <code>{d.requestId}</code>
      </dd>
    </dl>
  )
}
