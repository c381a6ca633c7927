import { randomUUID } from 'node:crypto'
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js'

/** A resource URI server-everything lists too: the hub offers it once, from the server first in name order. */
export const SHARED_URI = 'demo://resource/static/document/architecture.md'

const text = (s: string) => ({ content: [{ type: 'text' as const, text: s }] })
const objectSchema = (properties: Record<string, object> = {}) => ({ type: 'object' as const, properties })

/**
 * A small MCP server over Streamable HTTP for the /mcp tests, on 127.0.0.1 and a free port. It wants a bearer
 * token (the gateway sends it from a secret reference), keeps what it was called with, and can add a tool at
 * run time (its clients get tools/list_changed).
 */
export interface SecondServer {
  url: string
  /** Arguments of every `echo` call, as they arrived here. */
  echoed: Record<string, unknown>[]
  /** Set when a `slow` call saw its cancellation. */
  cancelled: boolean
  /** Resolves when a `slow` call has started. */
  slowStarted: Promise<void>
  close(): Promise<void>
}

export async function startSecondServer(token: string): Promise<SecondServer> {
  const tools: Tool[] = [
    { name: 'echo', description: 'echoes', inputSchema: objectSchema({ message: { type: 'string' } }) },
    { name: 'write_note', description: 'writes a note', inputSchema: objectSchema({ note: { type: 'string' } }) },
    { name: 'slow', description: 'waits until cancelled', inputSchema: objectSchema() },
    { name: 'add_tool', description: 'adds the tool `late`', inputSchema: objectSchema() },
  ]
  const servers = new Set<Server>()
  let startSlow!: () => void
  const state: SecondServer = {
    url: '',
    echoed: [],
    cancelled: false,
    slowStarted: new Promise<void>((resolve) => {
      startSlow = resolve
    }),
    close: async () => {},
  }

  const makeServer = () => {
    const server = new Server(
      { name: 'second', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true }, prompts: {}, resources: {} } },
    )
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }))
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      const args = req.params.arguments ?? {}
      switch (req.params.name) {
        case 'echo':
          state.echoed.push(args)
          return text(`second: ${String(args.message)}`)
        case 'write_note':
          return text('written')
        case 'slow':
          startSlow()
          await new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve(), { once: true }))
          state.cancelled = true
          return text('cancelled')
        case 'add_tool':
          if (!tools.some((t) => t.name === 'late')) tools.push({ name: 'late', inputSchema: objectSchema() })
          for (const s of servers) void s.sendToolListChanged().catch(() => {})
          return text('added')
        case 'late':
          return text('late tool ran')
        default:
          return { ...text(`no tool ${req.params.name}`), isError: true }
      }
    })
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [{ name: 'greet' }] }))
    server.setRequestHandler(GetPromptRequestSchema, async () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'hello from second' } }],
    }))
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: [{ uri: SHARED_URI, name: 'second-copy' }],
    }))
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [] }))
    server.setRequestHandler(ReadResourceRequestSchema, async (req) => ({
      contents: [{ uri: req.params.uri, text: 'from second' }],
    }))
    return server
  }

  const transports = new Map<string, StreamableHTTPServerTransport>()
  const http: HttpServer = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end()
      return
    }
    const sid = req.headers['mcp-session-id']
    let transport = typeof sid === 'string' ? transports.get(sid) : undefined
    if (!transport) {
      if (typeof sid === 'string') {
        res.writeHead(404).end()
        return
      }
      const server = makeServer()
      servers.add(server)
      const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, t)
        },
      })
      t.onclose = () => servers.delete(server)
      await server.connect(t)
      transport = t
    }
    await transport.handleRequest(req, res)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`
  state.close = async () => {
    await Promise.allSettled([...servers].map((s) => s.close()))
    http.closeAllConnections()
    await new Promise<void>((resolve) => http.close(() => resolve()))
  }
  return state
}
