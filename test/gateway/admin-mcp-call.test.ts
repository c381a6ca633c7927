import { request } from 'node:http'
import { join } from 'node:path'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  MCP_CALL_RESULT_MAX_CHARS,
  McpCallResultSchema,
  McpPlaygroundToolsSchema,
} from '../../src-shared/contract/mcp-playground.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'

// The Playground's tool calls: GET /admin/v1/mcp/tools and POST /admin/v1/mcp/call against server-everything
// over stdio behind the hub. Each call is in the request log as a /mcp call is, with client `playground`.

const EVERYTHING = join(import.meta.dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js')
const tools = Compile(McpPlaygroundToolsSchema)
const callResult = Compile(McpCallResultSchema)

let gw: TestGateway

beforeAll(async () => {
  const config = {
    mcp: { servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], confirm: ['get-sum'] } } },
  }
  gw = await startGateway(JSON.stringify(config))
  // The hub starts server-everything in the background.
  const deadline = Date.now() + 30_000
  while (gw.app.mcpHub.statusOf('everything')?.state !== 'ready' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
  }
})

afterAll(async () => {
  await gw?.close()
})

const call = (body: unknown, headers: Record<string, string> = gw.adminHeaders) =>
  fetch(`${gw.url}/admin/v1/mcp/call`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

const mcpEvents = () => gw.events.filter((e) => e.inboundApi === 'mcp')

describe('the Playground tool API', { timeout: 60_000 }, () => {
  it('lists the ready servers’ tools with their input schemas and confirmation marks', async () => {
    const res = await gw.admin('/admin/v1/mcp/tools')
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(tools.Check(body), JSON.stringify(body).slice(0, 500)).toBe(true)
    const echo = body.items.find((t: { name: string }) => t.name === 'everything__echo')
    expect(echo).toMatchObject({ server: 'everything', tool: 'echo', needsConfirmation: false })
    expect(echo.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } })
    expect(body.items.find((t: { name: string }) => t.name === 'everything__get-sum').needsConfirmation).toBe(true)
  })

  it('refuses a caller without the admin token, and runs and logs nothing for it', async () => {
    expect((await call({ server: 'everything', tool: 'echo', arguments: { message: 'x' } }, {})).status).toBe(401)
    expect((await fetch(`${gw.url}/admin/v1/mcp/tools`)).status).toBe(401)
    expect(mcpEvents()).toEqual([])
  })

  it('runs a tool through the hub and logs the call with client playground', async () => {
    const res = await call({ server: 'everything', tool: 'echo', arguments: { message: 'hello from the playground' } })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(callResult.Check(body), JSON.stringify(body)).toBe(true)
    expect(body).toMatchObject({ isError: false, text: 'Echo: hello from the playground', truncated: false })
    const logged = mcpEvents().find((e) => e.requestedModel === 'everything__echo')
    expect(logged).toMatchObject({ provider: 'everything', model: 'echo', clientTool: 'playground', status: 200 })
  })

  it('answers 404 for an unknown server or tool, and logs each refusal', async () => {
    const server = await call({ server: 'nowhere', tool: 'echo', arguments: {} })
    expect(server.status).toBe(404)
    expect((await server.json()).error.code).toBe('mcp_server_not_found')
    const tool = await call({ server: 'everything', tool: 'no-such-tool', arguments: {} })
    expect(tool.status).toBe(404)
    expect((await tool.json()).error.code).toBe('mcp_tool_not_found')
    const statuses = mcpEvents().map((e) => [e.requestedModel, e.status, e.clientTool])
    expect(statuses).toContainEqual(['nowhere__echo', 404, 'playground'])
    expect(statuses).toContainEqual(['everything__no-such-tool', 404, 'playground'])
  })

  it('runs a tool its server marks confirm only when this call was confirmed', async () => {
    const refused = await call({ server: 'everything', tool: 'get-sum', arguments: { a: 2, b: 3 } })
    expect(refused.status).toBe(403)
    expect((await refused.json()).error.code).toBe('mcp_needs_confirmation')
    const ok = await call({ server: 'everything', tool: 'get-sum', arguments: { a: 2, b: 3 }, confirmed: true })
    expect(ok.status).toBe(200)
    expect((await ok.json()).text).toContain('5')
    const sums = mcpEvents().filter((e) => e.requestedModel === 'everything__get-sum')
    expect(sums.map((e) => e.status)).toEqual([403, 200])
  })

  it('cuts a long result at the bound and says so', async () => {
    const message = 'x'.repeat(MCP_CALL_RESULT_MAX_CHARS + 500)
    const res = await call({ server: 'everything', tool: 'echo', arguments: { message } })
    const body = await res.json()
    expect(body.truncated).toBe(true)
    expect(body.text.length).toBe(MCP_CALL_RESULT_MAX_CHARS)
  })

  it('cancels the call at the tool server when the caller goes away (the page’s Stop), logged as 499', async () => {
    // The page's Stop aborts its fetch and the browser drops the connection: here, a request on its own socket,
    // destroyed half a second into a tool call that would run for 20 s.
    const url = new URL(`${gw.url}/admin/v1/mcp/call`)
    const started = Date.now()
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: { ...gw.adminHeaders, 'content-type': 'application/json' },
    })
    req.on('error', () => {})
    req.end(
      JSON.stringify({
        server: 'everything',
        tool: 'trigger-long-running-operation',
        arguments: { duration: 20, steps: 20 },
      }),
    )
    setTimeout(() => req.destroy(), 500)
    const logged = () => mcpEvents().find((e) => e.requestedModel === 'everything__trigger-long-running-operation')
    await vi.waitFor(() => expect(logged()?.status).toBe(499), { timeout: 5000 })
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('closing the gateway', { timeout: 60_000 }, () => {
  it('ends a Playground tool call still running after the shutdown grace, instead of waiting for the tool', async () => {
    const config = {
      server: { shutdownGraceMs: 300 },
      mcp: { servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } } },
    }
    const own = await startGateway(JSON.stringify(config))
    const deadline = Date.now() + 30_000
    while (own.app.mcpHub.statusOf('everything')?.state !== 'ready' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    // A tool that would run for 20 s, its caller still waiting.
    const answer = fetch(`${own.url}/admin/v1/mcp/call`, {
      method: 'POST',
      headers: { ...own.adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({
        server: 'everything',
        tool: 'trigger-long-running-operation',
        arguments: { duration: 20, steps: 20 },
      }),
    })
    await new Promise((r) => setTimeout(r, 500))
    const started = Date.now()
    await own.close()
    expect(Date.now() - started).toBeLessThan(5000)
    const res = await answer
    expect(res.status).toBeGreaterThanOrEqual(500)
  })
})
