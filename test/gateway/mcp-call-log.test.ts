import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import type { LogEvent } from '../../src-gateway/core/log-event.js'
import { type McpCallRecord, recordMcpCall } from '../../src-gateway/mcp/call-log.js'
import { appRoot } from '../../src-gateway/paths.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'

// Tool calls through the MCP hub go through the real log writer (scrubbing, encryption, rollups) and come back
// through the admin API: in the Logs list beside model calls, filtered by kind, and counted on the Overview apart
// from the model figures, which they must leave unchanged.

const UPSTREAM_KEY = 'sk-upstream-secret-0123456789'
const VIRTUAL_KEY = 'vk-ci-secret-abcdef'
const BODY_KEY = '07'.repeat(32)
const YAML = `
providers:
  openai: { type: openai, apiKey: "\${env:OPENAI_KEY}", models: [gpt-4o] }
keys:
  - { name: ci, key: "\${env:CI_KEY}" }
logs: { maxAgeDays: 36500, encryptBodies: ENCRYPT }
`
const T0 = Date.parse('2025-03-01T10:00:00Z')
const RANGE = `from=2025-03-01T00:00:00.000Z&to=2025-03-02T00:00:00.000Z&bucket=hour`

const modelCall = (i: number): LogEvent => ({
  requestId: `req_model_${i}`,
  startedAt: T0 + i * 1000,
  inboundApi: 'openai',
  requestedModel: 'gpt-4o',
  provider: 'openai',
  model: 'gpt-4o',
  status: i === 2 ? 502 : 200,
  error: i === 2 ? 'upstream failed' : undefined,
  latencyMs: 1000,
  inputTokens: 100,
  outputTokens: 50,
  stream: false,
  attempts: 1,
})

const toolCall = (over: Partial<McpCallRecord>): McpCallRecord => ({
  requestId: `req_mcp_${over.tool ?? 'echo'}_${over.status ?? 200}`,
  startedAt: T0 + 10_000,
  server: 'everything',
  tool: 'echo',
  namespaced: 'everything__echo',
  keyName: 'ci',
  clientTool: 'claude-code',
  sessionId: 'mcp-session-1',
  status: 200,
  latencyMs: 40_000,
  method: 'tools/call',
  arguments: { message: `hello ${UPSTREAM_KEY}`, api_key: VIRTUAL_KEY },
  result: { content: [{ type: 'text', text: 'Echo: hello' }] },
  ...over,
})

const TOOL_CALLS: McpCallRecord[] = [
  toolCall({}),
  toolCall({ tool: 'add', namespaced: 'everything__add', error: 'bad numbers', result: { isError: true } }),
  toolCall({ status: 403, error: 'key ci may not call everything__echo', result: undefined }),
  toolCall({
    server: 'github',
    tool: 'search',
    namespaced: 'github__search',
    status: 502,
    error: 'upstream closed',
    result: undefined,
  }),
]

function gatewayWith(dir: string, encrypt: boolean): FastifyInstance {
  const config = parseConfig(YAML.replace('ENCRYPT', String(encrypt)), 'yaml', {
    OPENAI_KEY: UPSTREAM_KEY,
    CI_KEY: VIRTUAL_KEY,
    SWITCHYARD_BODY_KEY: BODY_KEY,
  })
  return buildGateway(config, { webRoot: false, dataDir: dir })
}

const get = async (app: FastifyInstance, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: adminHeadersOf(app) })
  expect(res.statusCode, res.body).toBe(200)
  return JSON.parse(res.body)
}

describe('MCP tool calls in the request log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-log-'))
  let app: FastifyInstance

  beforeAll(async () => {
    app = buildGateway(
      parseConfig(YAML.replace('ENCRYPT', 'false'), 'yaml', { OPENAI_KEY: UPSTREAM_KEY, CI_KEY: VIRTUAL_KEY }),
      { webRoot: false, dataDir: dir },
    )
    await app.ready()
    for (let i = 0; i < 3; i++) app.gateway.sink.push(modelCall(i))
    for (const rec of TOOL_CALLS) recordMcpCall(app.gateway, rec)
    app.requestLog.flush()
  })
  afterAll(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists tool calls beside model calls, and apart with kind=mcp or kind=model', async () => {
    const all = await get(app, '/admin/v1/logs')
    expect(all.items).toHaveLength(7)
    const mcp = await get(app, '/admin/v1/logs?kind=mcp')
    expect(mcp.total).toBe(4)
    expect(mcp.items.map((i: { inboundApi: string }) => i.inboundApi)).toEqual(['mcp', 'mcp', 'mcp', 'mcp'])
    expect(mcp.items.map((i: { requestedModel: string }) => i.requestedModel).sort()).toEqual([
      'everything__add',
      'everything__echo',
      'everything__echo',
      'github__search',
    ])
    const refused = mcp.items.find((i: { status: number }) => i.status === 403)
    expect(refused).toMatchObject({
      provider: 'everything',
      model: 'echo',
      keyName: 'ci',
      clientTool: 'claude-code',
      latencyMs: 40_000,
      inputTokens: null,
      costUsd: null,
      sessionId: null,
    })
    const models = await get(app, '/admin/v1/logs?kind=model')
    expect(models.total).toBe(3)
    expect(models.items.every((i: { inboundApi: string }) => i.inboundApi === 'openai')).toBe(true)
    // Combines with the other filters: a server is the provider filter, errors the status filter.
    const failed = await get(app, '/admin/v1/logs?kind=mcp&status=error&provider=everything')
    expect(failed.items.map((i: { status: number }) => i.status)).toEqual([403])
  })

  it('rejects a kind it does not know', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/v1/logs?kind=tools', headers: adminHeadersOf(app) })
    expect(res.statusCode).toBe(400)
  })

  it('keeps the arguments and result, secrets scrubbed, and an error as the result of a failed call', async () => {
    const { items } = await get(app, '/admin/v1/logs?kind=mcp&model=echo&status=200')
    const detail = await get(app, `/admin/v1/logs/${items[0].id}`)
    expect(detail.requestBody).toEqual({
      method: 'tools/call',
      params: { name: 'everything__echo', arguments: { message: 'hello [redacted]', api_key: '[redacted]' } },
      sessionId: 'mcp-session-1',
    })
    expect(detail.responseBody).toEqual({ content: [{ type: 'text', text: 'Echo: hello' }] })
    expect(JSON.stringify(detail)).not.toContain(UPSTREAM_KEY)
    expect(JSON.stringify(detail)).not.toContain(VIRTUAL_KEY)
    const gh = (await get(app, '/admin/v1/logs?kind=mcp&provider=github')).items[0]
    expect((await get(app, `/admin/v1/logs/${gh.id}`)).responseBody).toEqual({ error: 'upstream closed' })
  })

  it('leaves model stats as they were and counts tool calls on their own on the Overview', async () => {
    const overview = await get(app, `/admin/v1/stats/overview?${RANGE}&groupBy=model`)
    // Three model calls, one failed; 300 tokens in, 150 out; latency 1 s (a tool call took 40 s).
    expect(overview.overall.totals).toMatchObject({ requests: 3, errors: 1, inputTokens: 300, outputTokens: 150 })
    expect(overview.overall.totals.latencyMs.p99).toBeLessThan(1100)
    expect(overview.groups.model.groups.map((g: { group: string }) => g.group)).toEqual(['gpt-4o'])
    expect(overview.groups.provider.groups.map((g: { group: string }) => g.group)).toEqual(['openai'])
    expect(overview.mcp).toEqual({
      calls: 4,
      errors: 3,
      servers: [
        { server: 'everything', calls: 3, errors: 2 },
        { server: 'github', calls: 1, errors: 1 },
      ],
      tools: [
        { server: 'everything', tool: 'echo', calls: 2, errors: 1 },
        { server: 'everything', tool: 'add', calls: 1, errors: 1 },
        { server: 'github', tool: 'search', calls: 1, errors: 1 },
      ],
    })
    const byKey = await get(app, `/admin/v1/stats?${RANGE}&groupBy=key`)
    expect(byKey.totals.requests).toBe(3)
    expect(byKey.groups.map((g: { group: string | null }) => g.group)).toEqual([null])
  })

  it('counts tool calls on /metrics in their own families, and not as model requests', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${VIRTUAL_KEY}` },
    })
    const text = res.body
    expect(text).toContain('switchyard_requests_total{provider="openai",model="gpt-4o",status="200"} 2\n')
    expect(text).not.toMatch(/switchyard_requests_total\{provider="(everything|github)"/)
    // This gateway has no MCP servers configured: names it does not have fold into `other`.
    expect(text).toContain('switchyard_mcp_tool_calls_total{server="other",tool="other",status="200"} 2\n')
    expect(text).toContain('switchyard_mcp_tool_call_errors_total{server="other"} 3\n')
  })
})

describe('MCP tool calls with encrypted bodies', () => {
  it('seals the arguments and result at rest like any body', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-log-enc-'))
    const app = gatewayWith(dir, true)
    try {
      await app.ready()
      recordMcpCall(app.gateway, toolCall({}))
      app.requestLog.flush()
      const stored = app.db!.prepare('SELECT request_json, response_json FROM request_log_bodies').get() as {
        request_json: string
        response_json: string
      }
      expect(stored.request_json.startsWith('enc:v1:')).toBe(true)
      expect(stored.response_json.startsWith('enc:v1:')).toBe(true)
      expect(stored.request_json).not.toContain('hello')
      const { items } = await get(app, '/admin/v1/logs?kind=mcp')
      const detail = await get(app, `/admin/v1/logs/${items[0].id}`)
      expect(detail.responseBody).toEqual({ content: [{ type: 'text', text: 'Echo: hello' }] })
    } finally {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('MCP tool calls and the MCP servers config', () => {
  const MCP_TOKEN = 'mcp-server-token-0123456789'
  const CONFIG = `
keys:
  - { name: ci, key: "\${env:CI_KEY}" }
mcp:
  servers:
    # Disabled: nothing is started; the config still names its secret and the server.
    tools: { command: node, args: [server.js], env: { API_TOKEN: "\${env:MCP_TOKEN}" }, enabled: false }
`

  it('strips an MCP server secret that a result echoes, and reports the server as down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-log-secret-'))
    const app = buildGateway(parseConfig(CONFIG, 'yaml', { CI_KEY: VIRTUAL_KEY, MCP_TOKEN }), {
      webRoot: false,
      dataDir: dir,
    })
    try {
      await app.ready()
      recordMcpCall(
        app.gateway,
        toolCall({
          server: 'tools',
          tool: 'env',
          namespaced: 'tools__env',
          arguments: { show: 'API_TOKEN' },
          result: { content: [{ type: 'text', text: `API_TOKEN=${MCP_TOKEN}` }] },
          error: `failed with ${MCP_TOKEN}`,
        }),
      )
      app.requestLog.flush()
      const { items } = await get(app, '/admin/v1/logs?kind=mcp')
      const detail = await get(app, `/admin/v1/logs/${items[0].id}`)
      expect(detail.responseBody).toEqual({ content: [{ type: 'text', text: 'API_TOKEN=[redacted]' }] })
      expect(detail.error).toBe('failed with [redacted]')
      const res = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${VIRTUAL_KEY}` },
      })
      expect(res.body).toContain('switchyard_mcp_server_up{server="tools"} 0\n')
      // A configured server keeps its name; its tool is not listed (the server is off), so it folds into `other`.
      expect(res.body).toContain('switchyard_mcp_tool_calls_total{server="tools",tool="other",status="200"} 1\n')
      expect(res.body).not.toContain(MCP_TOKEN)
    } finally {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('MCP tool calls to a running server', () => {
  const EVERYTHING = join(appRoot, 'node_modules/.bin/mcp-server-everything')

  it('keeps the server and its listed tools as /metrics labels, and reports the server up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-log-up-'))
    const yaml = `mcp:\n  servers:\n    everything: { command: ${JSON.stringify(EVERYTHING)}, args: [stdio] }\n`
    const app = buildGateway(parseConfig(yaml, 'yaml', {}), { webRoot: false, dataDir: dir })
    try {
      await app.ready()
      const until = Date.now() + 30_000
      while (app.mcpHub.statusOf('everything')?.state !== 'ready' && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50))
      expect(app.mcpHub.statusOf('everything')?.state).toBe('ready')
      // The call the /mcp endpoint forwards, logged as the endpoint logs it.
      const startedAt = Date.now()
      const result = await app.mcpHub.callTool('everything', 'echo', { message: 'up and logged' }, {})
      recordMcpCall(app.gateway, {
        ...toolCall({ arguments: { message: 'up and logged' }, result }),
        startedAt,
        latencyMs: Date.now() - startedAt,
      })
      recordMcpCall(app.gateway, toolCall({ tool: 'not-listed', namespaced: 'everything__not-listed', status: 404 }))
      app.requestLog.flush()
      const res = await app.inject({ method: 'GET', url: '/metrics' })
      expect(res.body).toContain('switchyard_mcp_server_up{server="everything"} 1\n')
      expect(res.body).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="echo",status="200"} 1\n')
      expect(res.body).toContain('switchyard_mcp_tool_calls_total{server="everything",tool="other",status="404"} 1\n')
      const { items } = await get(app, '/admin/v1/logs?kind=mcp&status=200')
      const detail = await get(app, `/admin/v1/logs/${items[0].id}`)
      expect(JSON.stringify(detail.responseBody)).toContain('up and logged')
    } finally {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
