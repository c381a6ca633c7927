import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { loadConfigFile } from '../../src-gateway/config/load.js'
import { openEncryptedFileStore } from '../../src-gateway/config/secrets.js'
import { buildGateway } from '../../src-gateway/server.js'
import { McpServerItemSchema, McpTestResultSchema } from '../../src-shared/contract/mcp.js'
import { adminHeadersOf } from '../helpers/gateway.js'

/**
 * /admin/v1/mcp against a gateway started from its own config file and secret store, with the reference
 * server-everything run over stdio: what the page adds, edits, tests, switches off and deletes is in the file,
 * in the hub (its state and tools) and in the audit trail; a secret typed in never comes back.
 */

const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js')
const SECRET = 'sk-mcp-SECRET-0123456789-wxyz'
const HEADER_SECRET = 'hdr-SECRET-abcdefghijklmnop-9876'
const PASSPHRASE = 'test-passphrase-for-the-secret-file'
const BASE_YAML = `
# MCP servers are added through the admin API; this comment must survive.
discovery: { enabled: false }
`
const item = Compile(McpServerItemSchema)
const testResult = Compile(McpTestResultSchema)

// biome-ignore lint/suspicious/noExplicitAny: admin answers are checked field by field
type Json = Record<string, any>

describe('admin MCP servers API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-admin-mcp-'))
  const configPath = join(dir, 'config.yaml')
  const texts: string[] = []
  let app: FastifyInstance

  const call = async (method: string, url: string, payload?: unknown, headers = adminHeadersOf(app)) => {
    const res = await app.inject({
      method: method as 'GET',
      url: `/admin/v1${url}`,
      payload: payload as object,
      headers,
    })
    texts.push(res.body)
    return { status: res.statusCode, json: (): Json => JSON.parse(res.body) }
  }
  /** The server's item once the hub reports `state` (a stdio server takes a moment to start). */
  const until = async (name: string, state: string, timeoutMs = 20_000): Promise<Json> => {
    const end = Date.now() + timeoutMs
    for (;;) {
      const got = (await call('GET', `/mcp/servers/${name}`)).json()
      if (got.status?.state === state || Date.now() > end) {
        expect(got.status?.state, JSON.stringify(got.status)).toBe(state)
        return got
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  beforeAll(async () => {
    writeFileSync(configPath, BASE_YAML)
    app = buildGateway(loadConfigFile(configPath, {}), {
      webRoot: false,
      dataDir: dir,
      configPath,
      secrets: openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE),
    })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses every route without the admin token', async () => {
    const none = {}
    expect((await call('GET', '/mcp/servers', undefined, none)).status).toBe(401)
    expect((await call('GET', '/mcp/servers/x', undefined, none)).status).toBe(401)
    const body = { name: 'x', command: process.execPath, args: [EVERYTHING, 'stdio'] }
    expect((await call('POST', '/mcp/servers', body, none)).status).toBe(401)
    expect((await call('PUT', '/mcp/servers/x', { enabled: false }, none)).status).toBe(401)
    expect((await call('POST', '/mcp/servers/x/disable', undefined, none)).status).toBe(401)
    expect((await call('DELETE', '/mcp/servers/x', undefined, none)).status).toBe(401)
    // The test runs a command: never for a caller without the token.
    expect((await call('POST', '/mcp/test', body, none)).status).toBe(401)
    expect(readFileSync(configPath, 'utf8')).not.toContain('mcp')
  })

  it('tests a config before it is saved: the tools it offers, or why it could not start', async () => {
    const ok = await call('POST', '/mcp/test', { command: process.execPath, args: [EVERYTHING, 'stdio'] })
    expect(ok.status).toBe(200)
    const answer = ok.json()
    expect(testResult.Check(answer), JSON.stringify(answer)).toBe(true)
    expect(answer.ok).toBe(true)
    expect(answer.tools.map((t: Json) => t.name)).toContain('echo')
    expect(answer.prompts.length).toBeGreaterThan(0)
    expect(answer.serverInfo?.name).toBeTruthy()

    const bad = (await call('POST', '/mcp/test', { command: join(dir, 'no-such-program') })).json()
    expect(bad).toMatchObject({ ok: false })
    expect(bad.error).toBeTruthy()
    // Nothing was saved by testing.
    expect((await call('GET', '/mcp/servers')).json().items).toEqual([])
  })

  it('adds a stdio server: its env secret goes to the secret store, the answer shows it masked, the hub starts it', async () => {
    const created = await call('POST', '/mcp/servers', {
      name: 'everything',
      command: process.execPath,
      args: [EVERYTHING, 'stdio'],
      env: { API_KEY: SECRET, DEBUG_LEVEL: '${env:SWITCHYARD_TEST_UNSET}' },
      confirm: ['trigger-*'],
    })
    expect(created.status).toBe(201)
    const body = created.json()
    expect(item.Check(body), JSON.stringify(body)).toBe(true)
    expect(body).toMatchObject({ name: 'everything', kind: 'stdio', enabled: true, confirm: ['trigger-*'] })
    expect(body.env.API_KEY).toEqual({
      masked: 'sk-…wxyz',
      source: 'secret',
      ref: '${secret:mcp.servers.everything.env.api_key}',
    })
    expect(body.env.DEBUG_LEVEL).toMatchObject({ source: 'env', ref: '${env:SWITCHYARD_TEST_UNSET}' })

    const ready = await until('everything', 'ready')
    expect(item.Check(ready)).toBe(true)
    expect(ready.status.transport).toBe('stdio')
    const tools = new Map(ready.status.tools.map((t: Json) => [t.name, t]))
    expect(tools.get('echo')).toMatchObject({ needsConfirmation: false })
    expect(tools.get('trigger-long-running-operation')).toMatchObject({ needsConfirmation: true })
    expect(ready.status.prompts.length).toBeGreaterThan(0)
    expect(ready.status.resources.length).toBeGreaterThan(0)

    const file = parseYaml(readFileSync(configPath, 'utf8'))
    expect(file.mcp.servers.everything.env.API_KEY).toBe('${secret:mcp.servers.everything.env.api_key}')
    expect(readFileSync(configPath, 'utf8')).toContain('this comment must survive')
    expect((await call('POST', '/mcp/servers', { name: 'everything', url: 'http://127.0.0.1:9/mcp' })).status).toBe(409)
  })

  it('PUT changes what it gives and keeps the rest; a masked value sent back keeps the secret', async () => {
    const before = (await call('GET', '/mcp/servers/everything')).json()
    const put = await call('PUT', '/mcp/servers/everything', {
      confirm: ['echo'],
      env: { API_KEY: before.env.API_KEY.masked, EXTRA: 'plain-but-sealed-value' },
    })
    expect(put.status).toBe(200)
    const after = put.json()
    expect(after).toMatchObject({ command: process.execPath, args: [EVERYTHING, 'stdio'], confirm: ['echo'] })
    expect(after.env.API_KEY).toEqual(before.env.API_KEY)
    // A field left out of the body stays; `env` given is replaced whole, so DEBUG_LEVEL went with it.
    expect(Object.keys(after.env).sort()).toEqual(['API_KEY', 'EXTRA'])
    const store = openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE)
    expect(store.get('mcp.servers.everything.env.api_key')).toBe(SECRET)
    expect(store.get('mcp.servers.everything.env.extra')).toBe('plain-but-sealed-value')

    const restarted = await until('everything', 'ready')
    expect(restarted.status.tools.find((t: Json) => t.name === 'echo')).toMatchObject({ needsConfirmation: true })

    // `null` removes a field; renaming and a config the schema refuses are 400s naming the field.
    const removed = (await call('PUT', '/mcp/servers/everything', { confirm: null })).json()
    expect(removed.confirm).toEqual([])
    expect(removed.command).toBe(process.execPath)
    const rename = await call('PUT', '/mcp/servers/everything', { name: 'other' })
    expect(rename.status).toBe(400)
    expect(rename.json().error.param).toBe('name')
    const badTimeout = await call('PUT', '/mcp/servers/everything', { callTimeoutMs: 1 })
    expect(badTimeout.status).toBe(400)
    expect((await call('PUT', '/mcp/servers/nobody', { enabled: false })).status).toBe(404)
  })

  it('tests an edit with its stored secrets behind the masked values, and never lends them to another config', async () => {
    const saved = (await call('GET', '/mcp/servers/everything')).json()
    // Starts server-everything only when its environment holds the stored key (exit 3 otherwise).
    const guarded = {
      command: process.execPath,
      args: [
        '-e',
        `const k = process.env.API_KEY ?? ''; if (k.length !== ${SECRET.length} || !k.endsWith('wxyz')) process.exit(3); import(${JSON.stringify(EVERYTHING)})`,
      ],
    }
    const edit = (
      await call('POST', '/mcp/test', { name: 'everything', ...guarded, env: { API_KEY: saved.env.API_KEY.masked } })
    ).json()
    expect(edit, JSON.stringify(edit)).toMatchObject({ ok: true })
    // Without the name the masked value is only text, and a reference to the saved server's secret does not resolve.
    for (const env of [{ API_KEY: saved.env.API_KEY.masked }, { API_KEY: saved.env.API_KEY.ref }]) {
      const other = (await call('POST', '/mcp/test', { ...guarded, env })).json()
      expect(other, JSON.stringify(other)).toMatchObject({ ok: false })
    }
  })

  it('adds a remote server with a header secret, masked like a provider key', async () => {
    const created = await call('POST', '/mcp/servers', {
      name: 'remote',
      url: 'http://127.0.0.1:9/mcp',
      transport: 'streamable-http',
      headers: { Authorization: `Bearer ${HEADER_SECRET}` },
      enabled: false,
    })
    expect(created.status).toBe(201)
    const body = created.json()
    expect(body).toMatchObject({ kind: 'remote', url: 'http://127.0.0.1:9/mcp', transport: 'streamable-http' })
    expect(body.headers.Authorization).toEqual({
      masked: 'Bea…9876',
      source: 'secret',
      ref: '${secret:mcp.servers.remote.headers.authorization}',
    })
    expect(body.status.state).toBe('disabled')
  })

  it('disables and enables a server live, audited', async () => {
    const off = await call('POST', '/mcp/servers/everything/disable')
    expect(off.status).toBe(200)
    expect(off.json().enabled).toBe(false)
    await until('everything', 'disabled')
    expect(parseYaml(readFileSync(configPath, 'utf8')).mcp.servers.everything.enabled).toBe(false)
    expect((await call('POST', '/mcp/servers/everything/enable')).json().enabled).toBe(true)
    await until('everything', 'ready')

    const audit = (await call('GET', '/audit?limit=50')).json().items as Json[]
    const actions = audit.map((e) => `${e.action} ${e.target}`)
    for (const a of [
      'mcp.server.create everything',
      'mcp.server.update everything',
      'mcp.server.disable everything',
      'mcp.server.enable everything',
    ]) {
      expect(actions).toContain(a)
    }
  })

  it('keeps edits across a restart, and deletes a server', async () => {
    const next = buildGateway(loadConfigFile(configPath, {}), {
      webRoot: false,
      secrets: openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE),
    })
    try {
      const res = await next.inject({ method: 'GET', url: '/admin/v1/mcp/servers', headers: adminHeadersOf(next) })
      texts.push(res.body)
      const names = (JSON.parse(res.body).items as Json[]).map((s) => [s.name, s.enabled, s.env.API_KEY?.masked])
      expect(names).toEqual([
        ['everything', true, 'sk-…wxyz'],
        ['remote', false, undefined],
      ])
    } finally {
      await next.close()
    }
    expect((await call('DELETE', '/mcp/servers/remote')).status).toBe(204)
    expect((await call('GET', '/mcp/servers/remote')).status).toBe(404)
    expect(openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE).names()).not.toContain(
      'mcp.servers.remote.headers.authorization',
    )
  })

  it('never shows a secret typed in: not in any answer, the config file, the audit trail or the database', async () => {
    const files = (readdirSync(dir, { recursive: true }) as string[])
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile() && !f.endsWith('secrets.enc.json'))
      .map((f) => readFileSync(f, 'latin1'))
    const everything = [...texts, ...files].join('\n')
    expect(texts.length).toBeGreaterThan(20)
    for (const secret of [SECRET, HEADER_SECRET, 'plain-but-sealed-value']) expect(everything).not.toContain(secret)
  })
})
