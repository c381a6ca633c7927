import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { type AdminRoute, adminRoutesOf } from '../../src-gateway/team/permissions-guard.js'
import { ROLE_PERMISSIONS } from '../../src-shared/contract/permissions.js'
import { ROLES, type Role } from '../../src-shared/contract/team.js'
import { ADMIN_ENV, TEST_ADMIN_TOKEN } from '../helpers/gateway.js'
import { type HttpUpstream, startStreamableUpstream } from '../helpers/mcp-http-upstreams.js'
import { CHAT_COMPLETION, type RunningMock, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Words that exist only in one call's bodies: the prompt, the model's answer and a tool call's arguments.
const PROMPT_WORD = 'zanzibarprompt'
const ANSWER_WORD = 'quetzalanswer'
const TOOL_WORD = 'okapiargument'
const BODY_WORDS = [PROMPT_WORD, ANSWER_WORD, TOOL_WORD]
const SESSION = 'matrix-session-1'
const VIRTUAL_KEY = 'sk-sy-matrix-client-0123456789'

const yaml = (upstream: string, mcp: string) => `
discovery: { enabled: false }
auth: { mode: team }
providers:
  up: { type: openai, baseUrl: "${upstream}/v1", apiKey: sk-up, models: [m] }
keys:
  - { name: ci, key: "\${env:CI_KEY}" }
mcp:
  servers:
    tools: { url: "${mcp}" }
`

/** A placeholder for each path parameter: no such thing exists, so an allowed call changes nothing. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'matrix-none')

const allows = (role: Role, r: AdminRoute) => r.permission === 'self' || ROLE_PERMISSIONS[role].includes(r.permission)

describe('the permission matrix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-matrix-'))
  let upstream: RunningMock
  let mcp: HttpUpstream
  let app: FastifyInstance
  let url: string
  const bearer: Record<Role, string> = { owner: TEST_ADMIN_TOKEN, admin: '', developer: '', viewer: '' }
  let modelLogId: number
  let toolLogId: number

  const as = (role: Role, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${bearer[role]}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })

  beforeAll(async () => {
    upstream = await startScriptedUpstream({
      'POST /v1/chat/completions': (_req, res) =>
        sendJson(res, 200, {
          ...CHAT_COMPLETION,
          choices: [{ index: 0, message: { role: 'assistant', content: `the ${ANSWER_WORD}` }, finish_reason: 'stop' }],
        }),
    })
    mcp = await startStreamableUpstream()
    const config = parseConfig(yaml(upstream.url, mcp.url), 'yaml', { ...ADMIN_ENV, CI_KEY: VIRTUAL_KEY })
    app = buildGateway(config, { webRoot: false, dataDir: dir, configPath: join(dir, 'config.yaml') })
    url = await app.listen({ host: '127.0.0.1', port: 0 })

    // The roles other than owner are service accounts (the admin token is the owner), made through the API.
    for (const role of ['admin', 'developer', 'viewer'] as const) {
      const res = await as('owner', '/admin/v1/team/service-accounts', {
        method: 'POST',
        body: { name: `matrix ${role}`, role, workspaces: ['default'] },
      })
      expect(res.status, await res.clone().text()).toBe(201)
      bearer[role] = ((await res.json()) as { token: string }).token
    }

    // One model call and one Playground tool call, so the log holds bodies a viewer must not see.
    const client = new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: VIRTUAL_KEY,
      defaultHeaders: { 'x-switchyard-session': SESSION },
    })
    await client.chat.completions.create({ model: 'up/m', messages: [{ role: 'user', content: `say ${PROMPT_WORD}` }] })
    const ready = Date.now() + 10_000
    while (!(await (await as('owner', '/admin/v1/mcp/tools')).text()).includes('whoami') && Date.now() < ready) {
      await new Promise((r) => setTimeout(r, 50))
    }
    const call = await as('owner', '/admin/v1/mcp/call', {
      method: 'POST',
      body: { server: 'tools', tool: 'whoami', arguments: { note: TOOL_WORD } },
    })
    expect(call.status, await call.clone().text()).toBe(200)
    app.requestLog.flush()
    const rows = (await (await as('owner', '/admin/v1/logs?limit=10')).json()) as {
      items: { id: number; inboundApi: string }[]
    }
    modelLogId = rows.items.find((r) => r.inboundApi !== 'mcp')?.id ?? -1
    toolLogId = rows.items.find((r) => r.inboundApi === 'mcp')?.id ?? -1
  })

  afterAll(async () => {
    await app?.close()
    await upstream?.stop()
    await mcp?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('covers every admin route, each with a permission', () => {
    const table = adminRoutesOf(app)
    // The team's own routes are in the table too: a new route cannot be left out.
    expect(table.length).toBeGreaterThan(100)
    expect(table.some((r) => r.url === '/admin/v1/team/service-accounts')).toBe(true)
  })

  it('lets each role call exactly the routes its permissions allow, and refuses the rest with 403 forbidden', async () => {
    const wrong: string[] = []
    for (const route of adminRoutesOf(app)) {
      for (const role of ROLES) {
        // A body no route accepts: an allowed change is refused by validation, a refused one before it.
        const hasBody = route.method !== 'GET' && route.method !== 'HEAD'
        const res = await as(role, concrete(route.url), {
          method: route.method,
          body: hasBody ? { matrixProbe: true } : undefined,
        })
        const text = await res.text()
        const forbidden =
          res.status === 403 && (route.method === 'HEAD' || JSON.parse(text).error?.code === 'forbidden')
        if (forbidden === allows(role, route)) {
          wrong.push(
            `${role} ${route.method} ${route.url} (${route.permission}) -> ${res.status} ${text.slice(0, 120)}`,
          )
        }
      }
    }
    expect(wrong).toEqual([])
  })

  describe('a viewer gets no bodies from any route that returns them', () => {
    const leaks = (text: string) => BODY_WORDS.filter((w) => text.includes(w))

    it('GET /admin/v1/logs/:id of a model call: metadata, bodies null and marked hidden (a developer sees them)', async () => {
      const viewer = await (await as('viewer', `/admin/v1/logs/${modelLogId}`)).json()
      expect(viewer).toMatchObject({ id: modelLogId, requestBody: null, responseBody: null, bodiesHidden: true })
      expect(viewer.model).toBe('m')
      expect(leaks(JSON.stringify(viewer))).toEqual([])
      const developer = await (await as('developer', `/admin/v1/logs/${modelLogId}`)).text()
      expect(leaks(developer)).toEqual([PROMPT_WORD, ANSWER_WORD])
    })

    it('GET /admin/v1/logs/:id of an MCP tool call: no arguments, no result', async () => {
      const res = await as('viewer', `/admin/v1/logs/${toolLogId}`)
      const text = await res.text()
      expect(leaks(text)).toEqual([])
      // The Playground's call is in no workspace: a member sees it only where workspaces do not apply.
      if (res.status !== 404) {
        expect(res.status).toBe(200)
        expect(JSON.parse(text)).toMatchObject({
          inboundApi: 'mcp',
          requestBody: null,
          responseBody: null,
          bodiesHidden: true,
        })
      }
      expect(leaks(await (await as('admin', `/admin/v1/logs/${toolLogId}`)).text())).toEqual([TOOL_WORD])
    })

    it('GET /admin/v1/logs?q= searches the metadata only: a body word finds nothing, the request id finds the row', async () => {
      for (const word of BODY_WORDS) {
        const viewer = await (await as('viewer', `/admin/v1/logs?q=${word}`)).json()
        expect(viewer.items, word).toEqual([])
        // An admin (every workspace, bodies allowed) finds each word's call.
        const admin = await (await as('admin', `/admin/v1/logs?q=${word}`)).json()
        expect(admin.items.length, word).toBe(1)
      }
      const row = await (await as('owner', `/admin/v1/logs/${modelLogId}`)).json()
      const byId = await (await as('viewer', `/admin/v1/logs?q=${row.requestId}`)).json()
      expect(byId.items.map((i: { id: number }) => i.id)).toEqual([modelLogId])
    })

    it('GET /admin/v1/logs/export: no bodies for anyone, and its search matches no body word for a viewer', async () => {
      for (const format of ['jsonl', 'csv']) {
        const all = await (await as('viewer', `/admin/v1/logs/export?format=${format}`)).text()
        expect(all).toContain(String(modelLogId))
        expect(leaks(all)).toEqual([])
        // CSV answers its header line whatever matches.
        const header = format === 'csv' ? 1 : 0
        for (const word of BODY_WORDS) {
          const lines = async (role: Role) =>
            (await (await as(role, `/admin/v1/logs/export?format=${format}&q=${word}`)).text())
              .split('\n')
              .filter(Boolean)
          expect((await lines('viewer')).length, `${format} ${word}`).toBe(header)
          expect((await lines('admin')).length, `${format} ${word}`).toBe(header + 1)
        }
      }
    })

    it("GET /admin/v1/sessions and /sessions/:id: the session's calls as metadata", async () => {
      const detail = await as('viewer', `/admin/v1/sessions/${SESSION}`)
      expect(detail.status).toBe(200)
      const text = await detail.text()
      expect(JSON.parse(text).calls.length).toBe(1)
      expect(leaks(text)).toEqual([])
      expect(leaks(await (await as('viewer', '/admin/v1/sessions')).text())).toEqual([])
    })

    it('the routes whose answers hold prompts, answers or the whole config refuse a viewer', async () => {
      const refused: [string, string, unknown?][] = [
        ['GET', '/admin/v1/compare/runs'],
        ['GET', '/admin/v1/compare/runs/1'],
        ['GET', '/admin/v1/compare/runs/1/export'],
        ['POST', '/admin/v1/compare/replay', { models: ['up/m'] }],
        ['GET', '/admin/v1/mcp/tools'],
        ['POST', '/admin/v1/mcp/call', { server: 'tools', tool: 'whoami', arguments: {} }],
        ['GET', '/admin/v1/config/export'],
        ['GET', '/admin/v1/backups'],
      ]
      for (const [method, path, body] of refused) {
        const res = await as('viewer', path, { method, body })
        expect(res.status, `${method} ${path}`).toBe(403)
        expect((await res.json()).error.code).toBe('forbidden')
      }
    })
  })
})
