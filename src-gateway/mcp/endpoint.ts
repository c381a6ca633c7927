import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isTrustedOrigin } from '../api/edge/host-check.js'
import type { LoadedConfig } from '../config/load.js'
import type { GatewayContext } from '../gateway-context.js'
import type { CallerIdentity } from '../pipeline/call.js'
import { callerIdentity } from '../policies/auth-hook.js'
import { createSessionServer } from './forward.js'
import type { McpHub } from './hub.js'
import { mcpAccessFor } from './permissions.js'
import { DEFAULT_SESSION_LIMITS, type SessionLimits, SessionTable, type TableEntry } from './sessions.js'
import type { McpChange } from './types.js'

/** One client's session; its later requests must come from its `owner`. */
interface McpSession extends TableEntry {
  server: Server
  transport: StreamableHTTPServerTransport
}

export interface McpEndpointOptions {
  hub: McpHub
  gw: GatewayContext
  /** Config changes (ConfigStore.onApply): a change of the keys' `mcp` blocks re-announces every list. */
  onConfigApply: (listener: (next: LoadedConfig) => void) => void
  limits?: SessionLimits
}

/** The keys' `mcp` blocks, to tell whether a config change changed what any session may see. */
const mcpBlocksOf = (config: LoadedConfig) => JSON.stringify((config.resolved.keys ?? []).map((k) => [k.name, k.mcp]))

/** One caller as a session owner: a key by name, else the kind (the admin, or open mode). */
const ownerOf = (identity: CallerIdentity) => (identity.kind === 'key' ? `key:${identity.name}` : identity.kind)

/** A JSON-RPC error answered before the SDK sees the request (the SDK's own use the same shape). */
function refuse(reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null })
}

const allowedHostsOf = (app: FastifyInstance): ReadonlySet<string> =>
  new Set((app.gatewayConfig.resolved.server?.allowedHosts ?? []).map((h) => h.toLowerCase()))

/**
 * `/mcp`: the hub's tools, prompts and resources over Streamable HTTP (POST for requests, GET for the
 * notification stream, DELETE to end a session). Registered in the model-API scope, so the same Host rule
 * (edge guard) and key auth guard it; here it adds the Origin check the MCP specification asks of servers
 * for every method, GET included, and binds each session to the caller that opened it.
 */
export function registerMcpEndpoint(scope: FastifyInstance, opts: McpEndpointOptions): void {
  const { hub, gw } = opts
  const table = new SessionTable<McpSession>(opts.limits ?? DEFAULT_SESSION_LIMITS, gw.clock)
  const sweep = setInterval(() => table.sweep(), 60_000)
  sweep.unref()

  const announce = (what: McpChange) => {
    for (const s of table.all()) {
      if (what === 'tools' || what === 'state') void s.server.sendToolListChanged().catch(() => {})
      if (what === 'prompts' || what === 'state') void s.server.sendPromptListChanged().catch(() => {})
      if (what === 'resources' || what === 'state') void s.server.sendResourceListChanged().catch(() => {})
    }
  }
  // A server coming or going, or an upstream's own list_changed: every session's client lists again.
  const unsubscribe = hub.onChange((_server, what) => announce(what))
  // So does a change of what keys may reach: a client sees its new permissions without reconnecting.
  let blocks = mcpBlocksOf(scope.gatewayConfig)
  opts.onConfigApply((next) => {
    const nextBlocks = mcpBlocksOf(next)
    if (nextBlocks === blocks) return
    blocks = nextBlocks
    announce('state')
  })
  // Before the server stops taking connections and waits for them: a client's open GET stream never ends
  // by itself, and would hold the gateway's close (the app's quit) forever.
  scope.addHook('preClose', async () => {
    clearInterval(sweep)
    unsubscribe()
    await table.closeAll()
  })

  async function openSession(identity: CallerIdentity): Promise<StreamableHTTPServerTransport> {
    let sessionId: string | undefined
    const server = createSessionServer({
      hub,
      gw,
      access: () => mcpAccessFor(identity, scope.gatewayConfig.resolved.keys),
      sessionId: () => sessionId,
    })
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessionId = id
        table.add({
          id,
          server,
          transport,
          owner: ownerOf(identity),
          lastSeen: gw.clock(),
          open: 0,
          close: () => server.close(),
        })
      },
      onsessionclosed: (id) => table.remove(id),
    })
    transport.onclose = () => {
      if (sessionId) table.remove(sessionId)
    }
    await server.connect(transport)
    return transport
  }

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    const origin = req.headers.origin
    if (origin !== undefined && !isTrustedOrigin(origin, allowedHostsOf(scope))) {
      return refuse(reply, 403, -32000, `requests from origin '${origin}' are refused`)
    }
    const identity = callerIdentity(req)
    const sid = req.headers['mcp-session-id']
    let transport: StreamableHTTPServerTransport
    let session: McpSession | undefined
    if (typeof sid === 'string') {
      session = table.use(sid)
      // Another caller's session id is answered like an unknown one: it must not learn that it exists.
      if (!session || session.owner !== ownerOf(identity)) return refuse(reply, 404, -32001, 'Session not found')
      transport = session.transport
    } else if (req.method === 'POST' && isInitializeRequest(req.body)) {
      transport = await openSession(identity)
    } else {
      return refuse(reply, 400, -32000, 'Bad Request: no valid session id (Mcp-Session-Id); initialize first')
    }

    // The SDK writes the response itself; the headers set so far (request id, CORS) go with it.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | string[] | number)
    }
    reply.hijack()
    if (session) {
      const s = session
      s.open++
      reply.raw.once('close', () => {
        s.open--
        s.lastSeen = gw.clock()
      })
    }
    // The log rows of this request's calls carry its id; never the caller's key.
    const auth: AuthInfo = {
      token: '',
      clientId: ownerOf(identity),
      scopes: [],
      extra: { requestId: req.id, batch: Array.isArray(req.body) },
    }
    const raw = req.raw as IncomingMessage & { auth?: AuthInfo }
    raw.auth = auth
    try {
      await transport.handleRequest(raw, reply.raw, req.body)
    } catch (err) {
      req.log.error({ err }, 'mcp request failed')
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' })
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }))
      }
    }
  }

  scope.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: handle })
}
