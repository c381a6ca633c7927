import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'

/** A remote MCP server started by a test on 127.0.0.1 and a free port. */
export interface HttpUpstream {
  /** The endpoint to configure as the server's `url`. */
  url: string
  /** The `authorization` header of every request that reached it. */
  authorizations: (string | undefined)[]
  close(): Promise<void>
}

/** A server offering one tool, `whoami`, which answers with its own kind (`streamable` or `sse`). */
function toolServer(kind: string): Server {
  const server = new Server({ name: `${kind}-upstream`, version: '1.0.0' }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'whoami', description: 'names the transport', inputSchema: { type: 'object', properties: {} } }],
  }))
  server.setRequestHandler(CallToolRequestSchema, async () => ({ content: [{ type: 'text', text: kind }] }))
  return server
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  path: string,
  authorizations: (string | undefined)[],
  port = 0,
): Promise<HttpUpstream> {
  const http: HttpServer = createServer((req, res) => {
    authorizations.push(req.headers.authorization)
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  const bound = (http.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${bound}${path}`,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

/** Streamable HTTP, stateless: a new SDK server and transport per request; on `port` to stand in for a stopped one. */
export function startStreamableUpstream(port = 0): Promise<HttpUpstream> {
  return listen(
    async (req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405).end()
        return
      }
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
      const server = toolServer('streamable')
      res.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport)
      await transport.handleRequest(req, res)
    },
    '/mcp',
    [],
    port,
  )
}

/** The older HTTP+SSE transport only: GET /sse opens the stream, POST /messages carries requests; a POST to /sse is 404. */
export function startSseOnlyUpstream(): Promise<HttpUpstream> {
  const sessions = new Map<string, SSEServerTransport>()
  return listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (req.method === 'GET' && url.pathname === '/sse') {
        const transport = new SSEServerTransport('/messages', res)
        sessions.set(transport.sessionId, transport)
        res.on('close', () => sessions.delete(transport.sessionId))
        await toolServer('sse').connect(transport)
        return
      }
      const transport = sessions.get(url.searchParams.get('sessionId') ?? '')
      if (req.method === 'POST' && url.pathname === '/messages' && transport) {
        await transport.handlePostMessage(req, res)
        return
      }
      res.writeHead(404).end()
    },
    '/sse',
    [],
  )
}
