import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type ProgressToken,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js'
import type { GatewayContext } from '../gateway-context.js'
import { restoreDeep } from '../policies/redaction/restore.js'
import { VERSION } from '../version.js'
import { buildCatalog, type Catalog, resourceServer } from './aggregate.js'
import { type McpCallRecord, recordMcpCall } from './call-log.js'
import { McpHubError } from './errors.js'
import type { McpHub } from './hub.js'
import type { McpAccess } from './permissions.js'
import type { McpToolInfo } from './types.js'

/** The `_meta` key (and annotation) that marks a tool its server config says needs confirmation. */
export const NEEDS_CONFIRMATION = 'dev.switchyard/needsConfirmation'

/** MCP's code for an unknown resource; -32003 is ours (implementation-defined range) for a refusal. */
const RESOURCE_NOT_FOUND = -32002
const FORBIDDEN = -32003

/** A refusal or failure with the status the call log records. */
class ForwardError extends McpError {
  constructor(
    readonly status: number,
    code: number,
    message: string,
  ) {
    super(code, message, { status })
  }
}

const HUB_FAILURES: Record<McpHubError['kind'], { status: number; code: number }> = {
  unknown_server: { status: 404, code: ErrorCode.InvalidParams },
  unavailable: { status: 502, code: ErrorCode.InternalError },
  upstream: { status: 502, code: ErrorCode.InternalError },
  timeout: { status: 504, code: ErrorCode.RequestTimeout },
  cancelled: { status: 499, code: ErrorCode.RequestTimeout },
}

/** Hub failures mapped once, here, to what the client sees; an upstream's own JSON-RPC error keeps its code. */
function asForwardError(err: unknown): ForwardError {
  if (err instanceof ForwardError) return err
  if (err instanceof McpHubError) {
    const { status, code } = HUB_FAILURES[err.kind]
    return new ForwardError(status, code, err.message)
  }
  if (err instanceof McpError) return new ForwardError(502, err.code, err.message)
  return new ForwardError(502, ErrorCode.InternalError, err instanceof Error ? err.message : String(err))
}

/** Error messages from the result a tool flagged with isError, for the log row (bounded). */
function toolErrorText(result: CallToolResult): string {
  const text = result.content?.find((c) => c.type === 'text')
  return (text && 'text' in text ? String(text.text) : 'the tool reported an error').slice(0, 500)
}

export interface SessionContext {
  hub: McpHub
  gw: GatewayContext
  /** What the session's caller may reach, read again on every request (keys change live). */
  access: () => McpAccess
  sessionId: () => string | undefined
}

/** A listed tool as the client sees it: namespaced, and marked when it needs confirmation. */
function listedTool(name: string, t: McpToolInfo): Tool {
  const tool: Tool = { name, inputSchema: t.inputSchema as Tool['inputSchema'] }
  if (t.title !== undefined) tool.title = t.title
  if (t.description !== undefined) tool.description = t.description
  if (t.annotations) tool.annotations = t.annotations as Tool['annotations']
  if (t.needsConfirmation) {
    // SDK clients strip annotations they do not know, so the mark is in `_meta` and the description too.
    tool.annotations = { ...tool.annotations, [NEEDS_CONFIRMATION]: true } as Tool['annotations']
    tool._meta = { [NEEDS_CONFIRMATION]: true }
    tool.description = `[needs confirmation] ${t.description ?? ''}`.trimEnd()
  }
  return tool
}

/**
 * One `/mcp` session's MCP server: the low-level SDK Server answering from the hub's catalog. Every list is
 * built from the servers ready now and filtered by the caller's access; calls are refused for names the
 * caller cannot see, the same way as names nobody offers.
 */
export function createSessionServer(ctx: SessionContext): Server {
  const { hub, gw } = ctx
  const server = new Server(
    { name: 'switchyard', version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true },
      },
    },
  )
  const catalog = (): Catalog => buildCatalog(hub.status())
  const redactorFor = (access: McpAccess) => gw.protection.forCall(undefined, access.keyName).redactor

  /** Runs one forwarded call and logs it, whatever its outcome. */
  async function logged<T>(
    base: Pick<McpCallRecord, 'method' | 'server' | 'tool' | 'namespaced' | 'arguments'> & { requestId: string },
    access: McpAccess,
    run: () => Promise<{ result: T; logged: unknown; error?: string }>,
  ): Promise<T> {
    const startedAt = gw.clock()
    const rec: McpCallRecord = {
      ...base,
      startedAt,
      keyName: access.keyName,
      clientTool: server.getClientVersion()?.name,
      sessionId: ctx.sessionId(),
      status: 200,
      latencyMs: 0,
    }
    try {
      const out = await run()
      recordMcpCall(gw, { ...rec, result: out.logged, error: out.error, latencyMs: gw.clock() - startedAt })
      return out.result
    } catch (err) {
      const e = asForwardError(err)
      recordMcpCall(gw, { ...rec, status: e.status, error: e.message, latencyMs: gw.clock() - startedAt })
      throw e
    }
  }

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const access = ctx.access()
    const tools: Tool[] = []
    for (const [name, { item }] of catalog().tools) if (access.tool(name)) tools.push(listedTool(name, item))
    return { tools }
  })

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const access = ctx.access()
    const name = request.params.name
    const entry = catalog().tools.get(name)
    const args = request.params.arguments ?? {}
    const requestId = requestIdOf(extra)
    const base = {
      method: 'tools/call' as const,
      server: entry?.server ?? '',
      tool: entry?.item.name ?? name,
      namespaced: name,
      requestId,
    }
    // Arguments leave redacted, as a model call's body does: the upstream server is a third party like a
    // provider. In reversible mode the placeholders are put back in the result the client gets.
    const redacted = redactorFor(access)?.redactBody(args)
    const sent = redacted?.body ?? args
    return logged({ ...base, arguments: sent }, access, async () => {
      if (!entry || !access.tool(name)) {
        if (entry) throw new ForwardError(403, FORBIDDEN, `${access.who} may not call tool '${name}'`)
        throw new ForwardError(404, ErrorCode.InvalidParams, `unknown tool '${name}'`)
      }
      if (entry.item.needsConfirmation && !access.confirmed) {
        throw new ForwardError(
          403,
          FORBIDDEN,
          `tool '${name}' needs confirmation, and ${access.who} may not confirm (keys[].mcp.confirmed)`,
        )
      }
      const token = request.params._meta?.progressToken
      const result = await hub.callTool(entry.server, entry.item.name, sent, {
        signal: extra.signal,
        onProgress: token === undefined ? undefined : progressSender(extra, token),
      })
      const answer = redacted?.vault ? restoreDeep(result, redacted.vault) : result
      return { result: answer, logged: result, error: result.isError ? toolErrorText(result) : undefined }
    })
  })

  server.setRequestHandler(ListPromptsRequestSchema, async () => {
    const access = ctx.access()
    const prompts = [...catalog().prompts]
      .filter(([name]) => access.prompt(name))
      .map(([name, { item }]) => ({ ...item, name }))
    return { prompts }
  })

  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const access = ctx.access()
    const name = request.params.name
    const entry = catalog().prompts.get(name)
    const args = request.params.arguments ?? {}
    const redacted = redactorFor(access)?.redactBody(args)
    const sent = (redacted?.body ?? args) as Record<string, string>
    const base = {
      method: 'prompts/get' as const,
      server: entry?.server ?? '',
      tool: entry?.item.name ?? name,
      namespaced: name,
      requestId: requestIdOf(extra),
      arguments: sent,
    }
    return logged(base, access, async () => {
      if (!entry || !access.prompt(name)) {
        if (entry) throw new ForwardError(403, FORBIDDEN, `${access.who} may not get prompt '${name}'`)
        throw new ForwardError(404, ErrorCode.InvalidParams, `unknown prompt '${name}'`)
      }
      const result = await hub.getPrompt(entry.server, entry.item.name, sent, { signal: extra.signal })
      return { result: redacted?.vault ? restoreDeep(result, redacted.vault) : result, logged: result }
    })
  })

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const access = ctx.access()
    const resources = [...catalog().resources.values()].filter((r) => access.resourcesOf(r.server)).map((r) => r.item)
    return { resources }
  })

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
    const access = ctx.access()
    const resourceTemplates = catalog()
      .templates.filter((t) => access.resourcesOf(t.server))
      .map((t) => t.item)
    return { resourceTemplates }
  })

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const access = ctx.access()
    const uri = request.params.uri
    const owner = resourceServer(catalog(), uri)
    const base = {
      method: 'resources/read' as const,
      server: owner ?? '',
      tool: uri,
      namespaced: uri,
      requestId: requestIdOf(extra),
    }
    return logged(base, access, async () => {
      // A server the caller may not read is answered like an unknown URI: the URI itself can be telling.
      if (!owner || !access.resourcesOf(owner)) {
        throw new ForwardError(404, RESOURCE_NOT_FOUND, `resource not found: ${uri}`)
      }
      const result = await hub.readResource(owner, uri, { signal: extra.signal })
      return { result, logged: result }
    })
  })

  return server
}

type Extra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1]

/** Progress from the upstream, sent to the client on the stream of the call it belongs to. */
function progressSender(extra: Extra, progressToken: ProgressToken) {
  return (p: { progress: number; total?: number; message?: string }) => {
    void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, ...p } }).catch(() => {})
  }
}

/**
 * The log row's id: the HTTP request's (x-request-id), which the endpoint hands over as auth info. A batch
 * (2025-03-26) carries several calls in one request; each gets the JSON-RPC id as a suffix.
 */
function requestIdOf(extra: Extra): string {
  const httpId = extra.authInfo?.extra?.requestId
  const base = typeof httpId === 'string' ? httpId : 'mcp'
  return extra.authInfo?.extra?.batch === true ? `${base}.${String(extra.requestId)}` : base
}
