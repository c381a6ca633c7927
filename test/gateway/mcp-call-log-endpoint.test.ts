import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { appRoot } from '../../src-gateway/paths.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'

// Tool calls made by a real MCP client through the gateway's /mcp endpoint to server-everything over stdio end up in
// the request log (the real writer), in the Logs API's tool-call filter, on the Overview and on /metrics.

const EVERYTHING = join(appRoot, 'node_modules/.bin/mcp-server-everything')
const KEYS = { all: 'sk-mcp-log-all-0123456789abcdef', echo: 'sk-mcp-log-echo-0123456789abcdef' }
const YAML = `
keys:
  - { name: all, key: "\${env:ALL_KEY}", mcp: { tools: ["everything__*"] } }
  - { name: echo-only, key: "\${env:ECHO_KEY}", mcp: { tools: ["everything__echo"] } }
mcp:
  servers:
    everything: { command: ${JSON.stringify(EVERYTHING)}, args: [stdio] }
logs: { maxAgeDays: 36500 }
`

interface Row {
  id: number
  inboundApi: string
  provider: string
  model: string
  requestedModel: string
  keyName: string
  clientTool: string | null
  status: number
  error: string | null
}

describe('tool calls through /mcp in the request log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-endpoint-log-'))
  let app: FastifyInstance
  let url: string
  const clients: Client[] = []

  const connect = async (key: string) => {
    const client = new Client({ name: 'log-test-client', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    )
    clients.push(client)
    return client
  }
  const get = async (path: string) => {
    const res = await app.inject({ method: 'GET', url: path, headers: adminHeadersOf(app) })
    expect(res.statusCode, res.body).toBe(200)
    return JSON.parse(res.body)
  }

  beforeAll(async () => {
    app = buildGateway(parseConfig(YAML, 'yaml', { ALL_KEY: KEYS.all, ECHO_KEY: KEYS.echo }), {
      webRoot: false,
      dataDir: dir,
    })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    const deadline = Date.now() + 30_000
    while (app.mcpHub.statusOf('everything')?.state !== 'ready' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50))
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('logs each call with its server, tool, key, client, arguments and result; refusals too', async () => {
    const all = await connect(KEYS.all)
    const echoed = await all.callTool({ name: 'everything__echo', arguments: { message: 'logged through /mcp' } })
    expect(JSON.stringify(echoed)).toContain('logged through /mcp')
    await all.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } })
    const echoOnly = await connect(KEYS.echo)
    await expect(echoOnly.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 1 } })).rejects.toThrow()

    let rows: Row[] = []
    const deadline = Date.now() + 10_000
    while (rows.length < 3 && Date.now() < deadline) {
      app.requestLog.flush()
      rows = (await get('/admin/v1/logs?kind=mcp')).items
      if (rows.length < 3) await new Promise((r) => setTimeout(r, 50))
    }
    expect(rows.map((r) => [r.requestedModel, r.keyName, r.status]).sort()).toEqual([
      ['everything__echo', 'all', 200],
      ['everything__get-sum', 'all', 200],
      ['everything__get-sum', 'echo-only', 403],
    ])
    for (const r of rows) expect(r).toMatchObject({ inboundApi: 'mcp', provider: 'everything' })
    const echo = rows.find((r) => r.model === 'echo')!
    expect(echo.clientTool).toBe('log-test-client')
    const detail = await get(`/admin/v1/logs/${echo.id}`)
    expect(detail.requestBody).toMatchObject({
      method: 'tools/call',
      params: { name: 'everything__echo', arguments: { message: 'logged through /mcp' } },
    })
    expect(JSON.stringify(detail.responseBody)).toContain('logged through /mcp')

    const overview = await get('/admin/v1/stats/overview?bucket=hour')
    expect(overview.overall.totals.requests).toBe(0)
    expect(overview.mcp).toMatchObject({ calls: 3, errors: 1 })
    const metrics = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${KEYS.all}` },
    })
    expect(metrics.body).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="echo",status="200"} 1\n')
    expect(metrics.body).toContain('switchyard_mcp_tool_call_errors_total{server="everything"} 1\n')
    expect(metrics.body).toContain('switchyard_mcp_server_up{server="everything"} 1\n')
  })
})
