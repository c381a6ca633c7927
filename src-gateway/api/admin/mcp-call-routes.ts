import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyInstance } from 'fastify'
import {
  MCP_CALL_RESULT_MAX_CHARS,
  type McpCallBody,
  McpCallBodySchema,
  type McpCallResult,
  type McpPlaygroundTools,
  McpPlaygroundToolsQuerySchema,
} from '../../../src-shared/contract/mcp-playground.js'
import { GatewayError } from '../../core/errors.js'
import type { GatewayContext } from '../../gateway-context.js'
import { buildCatalog, namespaced } from '../../mcp/aggregate.js'
import { type McpCallRecord, recordMcpCall } from '../../mcp/call-log.js'
import { McpHubError } from '../../mcp/errors.js'
import type { McpHub } from '../../mcp/hub.js'
import { restoreDeep } from '../../policies/redaction/restore.js'
import { notFound } from './admin-errors.js'

/** The call log's client name for calls the Playground makes (the Logs page shows it). */
const CLIENT_TOOL = 'playground'

const HUB_FAILURES: Record<McpHubError['kind'], GatewayError['kind']> = {
  unknown_server: 'not_found',
  unavailable: 'upstream_overloaded',
  upstream: 'upstream',
  timeout: 'upstream_timeout',
  cancelled: 'invalid_request',
}

/** Hub failures mapped once, here, to the admin API's errors (the status is also what the call log keeps). */
function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  if (err instanceof McpHubError) {
    // A cancelled call's caller has gone (it closed the request); 499 is what the call log records for it.
    const status = err.kind === 'cancelled' ? 499 : undefined
    return new GatewayError(HUB_FAILURES[err.kind], err.message, { code: `mcp_${err.kind}`, status })
  }
  return new GatewayError('upstream', err instanceof Error ? err.message : String(err), { code: 'mcp_upstream' })
}

/**
 * A tool result as text, the form a chat model takes a tool message in: text parts as they are, other parts
 * named (an image is not sent on as pixels), cut at MCP_CALL_RESULT_MAX_CHARS so a tool that answers with
 * megabytes neither floods the page nor the model's context.
 */
export function resultText(result: CallToolResult): { text: string; truncated: boolean } {
  const parts: string[] = []
  for (const c of result.content ?? []) {
    if (c.type === 'text') parts.push(c.text)
    else if (c.type === 'image' || c.type === 'audio')
      parts.push(`[${c.type} ${c.mimeType}, ${c.data.length} base64 chars]`)
    else if (c.type === 'resource') {
      const r = c.resource
      parts.push('text' in r && typeof r.text === 'string' ? r.text : `[resource ${r.uri}]`)
    } else if (c.type === 'resource_link') parts.push(`[resource link ${c.uri}]`)
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent))
  const text = parts.join('\n')
  if (text.length <= MCP_CALL_RESULT_MAX_CHARS) return { text, truncated: false }
  return { text: text.slice(0, MCP_CALL_RESULT_MAX_CHARS), truncated: true }
}

/**
 * The Playground's tools: `GET /admin/v1/mcp/tools` lists what the ready servers offer, with input schemas;
 * `POST /admin/v1/mcp/call` runs one tool through the hub for the admin, who confirmed it in the page. The
 * call is logged as a `/mcp` call is (client `playground`), its arguments leave redacted as the endpoint's do,
 * and a tool its server marks `confirm` runs only with `confirmed: true` (the page's per-call confirmation).
 */
export function registerMcpCallRoutes(app: FastifyInstance, gw: GatewayContext, hub: () => McpHub): void {
  app.get(
    '/admin/v1/mcp/tools',
    { config: { permission: 'compare:run' }, schema: { querystring: McpPlaygroundToolsQuerySchema } },
    async (): Promise<McpPlaygroundTools> => {
      const items = [...buildCatalog(hub().status()).tools].map(([name, { server, item }]) => ({
        name,
        server,
        tool: item.name,
        ...(item.title !== undefined && { title: item.title }),
        ...(item.description !== undefined && { description: item.description }),
        inputSchema: item.inputSchema,
        needsConfirmation: item.needsConfirmation,
      }))
      return { items }
    },
  )

  app.post<{ Body: McpCallBody }>(
    '/admin/v1/mcp/call',
    { config: { permission: 'compare:run' }, schema: { body: McpCallBodySchema } },
    async (req, reply): Promise<McpCallResult> => {
      const { server, tool, confirmed } = req.body
      const args = req.body.arguments ?? {}
      const redacted = gw.protection.forCall(undefined, undefined).redactor?.redactBody(args)
      const sent = (redacted?.body ?? args) as Record<string, unknown>
      const startedAt = gw.clock()
      const rec: McpCallRecord = {
        requestId: req.id,
        startedAt,
        server,
        tool,
        namespaced: namespaced(server, tool),
        clientTool: CLIENT_TOOL,
        method: 'tools/call',
        arguments: sent,
        status: 200,
        latencyMs: 0,
      }
      try {
        const status = hub().statusOf(server)
        if (!status) throw notFound(`no MCP server '${server}' is configured`, 'mcp_server_not_found')
        if (status.state !== 'ready') {
          throw new GatewayError('upstream_overloaded', `MCP server '${server}' is ${status.state}, not ready`, {
            code: 'mcp_unavailable',
          })
        }
        const info = status.tools.find((t) => t.name === tool)
        if (!info) throw notFound(`MCP server '${server}' has no tool '${tool}'`, 'mcp_tool_not_found')
        if (info.needsConfirmation && confirmed !== true) {
          throw new GatewayError('permission', `tool '${tool}' of '${server}' needs confirmation of each call`, {
            code: 'mcp_needs_confirmation',
          })
        }
        // The page's Stop closes the request: the call is cancelled at the tool server, not left running.
        const cancel = new AbortController()
        const onClose = () => {
          if (!reply.raw.writableFinished) cancel.abort()
        }
        reply.raw.once('close', onClose)
        const result = await hub()
          .callTool(server, tool, sent, { signal: cancel.signal })
          .finally(() => reply.raw.off('close', onClose))
        const answer = (redacted?.vault ? restoreDeep(result, redacted.vault) : result) as CallToolResult
        const { text, truncated } = resultText(answer)
        const latencyMs = gw.clock() - startedAt
        recordMcpCall(gw, {
          ...rec,
          result,
          error: result.isError ? resultText(result).text.slice(0, 500) : undefined,
          latencyMs,
        })
        return { isError: result.isError === true, text, truncated, latencyMs }
      } catch (err) {
        const e = asGatewayError(err)
        recordMcpCall(gw, { ...rec, status: e.status, error: e.message, latencyMs: gw.clock() - startedAt })
        throw e
      }
    },
  )
}
