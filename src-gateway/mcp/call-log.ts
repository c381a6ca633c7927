import type { LogEvent } from '../core/log-event.js'
import type { GatewayContext } from '../gateway-context.js'

/** One MCP call the /mcp endpoint forwarded (or refused), as the endpoint reports it. */
export interface McpCallRecord {
  requestId: string
  /** Epoch ms when the call arrived. */
  startedAt: number
  /** The upstream server's config name. */
  server: string
  /** The tool (prompt, or resource URI) as the upstream server names it. */
  tool: string
  /** The name the client used: `server__tool`. */
  namespaced: string
  keyName?: string
  /** The client tool, from its user-agent or MCP clientInfo (`claude-code`, `codex`, …). */
  clientTool?: string
  /** The MCP session (Mcp-Session-Id); kept in the stored request, not as a coding session. */
  sessionId?: string
  /** 200 ok (with `error` when the result had isError), 403 refused, 404 unknown, 502/504 upstream, 499 cancelled. */
  status: number
  error?: string
  latencyMs: number
  arguments?: unknown
  result?: unknown
  method: 'tools/call' | 'prompts/get' | 'resources/read'
}

/**
 * Longest server, tool or namespaced name a row keeps. A refused or unknown call is logged with the name the client
 * sent, which only the request's body limit bounds; real names are far shorter.
 */
export const MAX_LOGGED_NAME_CHARS = 256

const bounded = (name: string) =>
  name.length > MAX_LOGGED_NAME_CHARS ? `${name.slice(0, MAX_LOGGED_NAME_CHARS - 1)}…` : name

/** The stored "request" of a tool call: what the client asked, in MCP's own words. */
function requestOf(rec: McpCallRecord): Record<string, unknown> {
  const params =
    rec.method === 'resources/read' ? { uri: rec.tool } : { name: rec.namespaced, arguments: rec.arguments ?? {} }
  return { method: rec.method, params, ...(rec.sessionId ? { sessionId: rec.sessionId } : {}) }
}

/** A tool call as a request-log row: provider = server, model = tool, requested model = the namespaced name. */
export function mcpLogEvent(rec: McpCallRecord, captureBodies: boolean): LogEvent {
  const failed = rec.error !== undefined && rec.result === undefined
  return {
    requestId: rec.requestId,
    startedAt: rec.startedAt,
    inboundApi: 'mcp',
    requestedModel: bounded(rec.namespaced),
    provider: bounded(rec.server),
    model: bounded(rec.tool),
    keyName: rec.keyName,
    clientTool: rec.clientTool,
    status: rec.status,
    error: rec.error,
    latencyMs: rec.latencyMs,
    stream: false,
    attempts: rec.status === 403 || rec.status === 404 ? 0 : 1,
    // Bodies go through the writer like a model call's: secrets scrubbed, sealed when encryption is on, cut at
    // MAX_BODY_CHARS. With `logs.storeBodies` off nothing of the arguments or result is kept.
    ...(captureBodies ? { requestBody: requestOf(rec), responseBody: failed ? { error: rec.error } : rec.result } : {}),
  }
}

/**
 * Logs one MCP call. Never throws and never blocks: the endpoint calls it after answering, and a log that
 * cannot take the row must not fail the call.
 */
export function recordMcpCall(gw: Pick<GatewayContext, 'sink' | 'captureBodies'>, rec: McpCallRecord): void {
  try {
    gw.sink.push(mcpLogEvent(rec, gw.captureBodies))
  } catch {
    // The sink's own contract is never to throw; this guards the event's construction from odd records.
  }
}
