import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySecretStore } from '../../src-gateway/config/secrets.js'
import { appRoot } from '../../src-gateway/paths.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type HttpUpstream, startStreamableUpstream } from '../helpers/mcp-http-upstreams.js'

const FIXTURE = join(appRoot, 'test/fixtures/mcp/stdio-server.mjs')
const TOKEN = 'tok-secret-7c1e44a09b2d'
const ENV_TOKEN = 'tok-env-51ab0c9e3f77'
const PROVIDER_KEY = 'sk-provider-key-0123456789abcd'
const PLAIN = 'plain-value-9d8e7f6a5b'
/** Set in the gateway's own environment: a tool server must not see it. */
const GATEWAY_ONLY = 'SWITCHYARD_A1_GATEWAY_ONLY'

// Admin answers are checked field by field; typing each shape here would only restate the assertions.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>

const apps: FastifyInstance[] = []
const upstreams: HttpUpstream[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
  await Promise.all(upstreams.splice(0).map((u) => u.close()))
  delete process.env[GATEWAY_ONLY]
})

function gateway(config: object): FastifyInstance {
  const secrets = createMemorySecretStore()
  secrets.set('mcp.servers.fx.env.secret_token', TOKEN)
  secrets.set('providers.openai.apiKey', PROVIDER_KEY)
  secrets.set('mcp.servers.remote.headers.authorization', `Bearer ${TOKEN}`)
  const app = buildGateway(parseConfig(stringify(config), 'yaml', { FROM_ENV: ENV_TOKEN }), { webRoot: false, secrets })
  apps.push(app)
  return app
}

async function admin(app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await app.inject({ method, url, payload, headers: adminHeadersOf(app) })
  return { status: res.statusCode, text: res.body, json: (): Json => JSON.parse(res.body) }
}

async function until<T>(what: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = what()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const ready = (app: FastifyInstance, name: string) => until(() => app.mcpHub.statusOf(name)?.state === 'ready')
const textOf = (r: { content?: unknown }) => (r.content as { text: string }[])[0].text

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const fx = {
  command: process.execPath,
  // References in args are not credentials: they stay literal (and would show in `ps` if they were not).
  args: [FIXTURE, '${secret:mcp.servers.fx.env.secret_token}', '${env:FROM_ENV}'],
  env: {
    SECRET_TOKEN: '${secret:mcp.servers.fx.env.secret_token}',
    FROM_ENV: 'Bearer ${env:FROM_ENV}',
    // Another field's secret: refused, as a provider header naming another provider's key is.
    STOLEN: '${secret:providers.openai.apiKey}',
    PLAIN,
  },
}
const BASE = {
  providers: { openai: { type: 'openai', apiKey: '${secret:providers.openai.apiKey}' } },
  discovery: { enabled: false },
  mcp: { servers: { fx } },
}

describe('mcp.servers in the gateway', () => {
  it("resolves secret references only in env values, and only to the server's own secrets", async () => {
    process.env[GATEWAY_ONLY] = 'must-not-leak'
    const app = gateway(BASE)
    await ready(app, 'fx')
    const seen = JSON.parse(textOf(await app.mcpHub.callTool('fx', 'argv', {})))
    expect(seen.args).toEqual(['${secret:mcp.servers.fx.env.secret_token}', '${env:FROM_ENV}'])
    expect(seen.env).toMatchObject({ SECRET_TOKEN: TOKEN, FROM_ENV: `Bearer ${ENV_TOKEN}`, STOLEN: '', PLAIN })
    expect(seen.env[GATEWAY_ONLY]).toBeUndefined()
    expect(Object.keys(seen.env).sort()).toEqual(
      expect.arrayContaining(['PATH', 'SECRET_TOKEN', 'FROM_ENV', 'STOLEN', 'PLAIN']),
    )
    // The gateway's env is not inherited beyond PATH, HOME and the like.
    expect(Object.keys(seen.env).filter((k) => k.startsWith('SWITCHYARD') || k.startsWith('VITEST'))).toEqual([])
  })

  it('a secret in a `command` stays literal: the program is not found', async () => {
    const app = gateway({
      mcp: { servers: { fx: { command: '${secret:mcp.servers.fx.env.secret_token}', env: { A: 'x' } } } },
    })
    const s = await until(() => {
      const st = app.mcpHub.statusOf('fx')
      return st && st.errors.length > 0 ? st : undefined
    })
    expect(s.errors[0].message).toContain('ENOENT')
    expect(JSON.stringify(app.mcpHub.status())).not.toContain(TOKEN)
  })

  it('exports env secrets as references, never their values', async () => {
    const app = gateway(BASE)
    const res = await admin(app, 'GET', '/admin/v1/config/export?format=json')
    expect(res.status).toBe(200)
    const exported = JSON.parse(res.text) as Json
    expect(exported.mcp.servers.fx.env.SECRET_TOKEN).toBe('${secret:mcp.servers.fx.env.secret_token}')
    expect(exported.mcp.servers.fx.args).toEqual(fx.args)
    // A plain value from a hand-written file is a credential field's: left out of the export.
    expect(res.text).not.toContain(PLAIN)
    expect(res.text).not.toContain(TOKEN)
  })

  it('applies config changes live: adds, removes and disables servers; plain env values go to the secret store', async () => {
    const app = gateway(BASE)
    await ready(app, 'fx')
    const grandchild = Number(textOf(await app.mcpHub.callTool('fx', 'grandchild', {})))
    const next = {
      ...BASE,
      mcp: {
        servers: {
          late: { command: process.execPath, args: [FIXTURE], env: { API_KEY: 'late-plain-key-123456' } },
          off: { command: process.execPath, args: [FIXTURE], enabled: false },
        },
      },
    }
    const res = await admin(app, 'POST', '/admin/v1/config/import', { text: stringify(next), apply: true })
    expect(res.json()).toMatchObject({ valid: true, applied: true })
    expect(
      app.mcpHub
        .status()
        .map((s) => `${s.name}:${s.state}`)
        .sort(),
    ).toEqual(['late:starting', 'off:disabled'])
    await until(() => !pidAlive(grandchild), 5000)
    await ready(app, 'late')
    const seen = JSON.parse(textOf(await app.mcpHub.callTool('late', 'argv', {})))
    expect(seen.env.API_KEY).toBe('late-plain-key-123456')
    const exported = await admin(app, 'GET', '/admin/v1/config/export?format=json')
    expect(exported.text).not.toContain('late-plain-key-123456')
    expect((JSON.parse(exported.text) as Json).mcp.servers.late.env.API_KEY).toBe(
      '${secret:mcp.servers.late.env.api_key}',
    )
  })

  it('a remote server moved to another origin does not take its token along unless the change gives it', async () => {
    const first = await startStreamableUpstream()
    const second = await startStreamableUpstream()
    upstreams.push(first, second)
    const headers = { Authorization: '${secret:mcp.servers.remote.headers.authorization}' }
    const app = gateway({ mcp: { servers: { remote: { url: first.url, headers } } } })
    await ready(app, 'remote')
    expect(first.authorizations).toContain(`Bearer ${TOKEN}`)

    const moved = { mcp: { servers: { remote: { url: second.url, headers } } } }
    const res = await admin(app, 'POST', '/admin/v1/config/import', { text: stringify(moved), apply: true })
    expect(res.json()).toMatchObject({
      applied: true,
      droppedCredentials: ['mcp.servers.remote.headers.authorization'],
    })
    await ready(app, 'remote')
    expect(second.authorizations.length).toBeGreaterThan(0)
    expect(second.authorizations.every((a) => a === undefined)).toBe(true)
  })

  it('refuses configs the hub cannot run, each problem at its field', async () => {
    const app = gateway({ discovery: { enabled: false } })
    const bad = {
      mcp: {
        servers: {
          both: { command: 'x', url: 'http://127.0.0.1:1/mcp' },
          neither: { enabled: true },
          a__b: { command: 'x' },
          mixed: { command: 'x', headers: { Authorization: 'y' } },
          'bad name': { command: 'x' },
        },
      },
    }
    const res = await admin(app, 'POST', '/admin/v1/config/import', { text: stringify(bad), apply: true })
    const body = res.json()
    expect(body.applied).not.toBe(true)
    const problems = JSON.stringify(body.errors ?? body)
    expect(problems).toContain('/mcp/servers')
    // The schema names the bad name first; the rest are checked once the schema passes.
    const fixed = structuredClone(bad) as Json
    delete fixed.mcp.servers['bad name']
    const second = (await admin(app, 'POST', '/admin/v1/config/import', { text: stringify(fixed) })).json()
    const paths = (second.errors as { path: string; message: string }[]).map((e) => `${e.path} ${e.message}`)
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/mcp\/servers\/both needs either/),
        expect.stringMatching(/^\/mcp\/servers\/neither needs either/),
        expect.stringMatching(/^\/mcp\/servers\/a__b .*'__'/),
        expect.stringMatching(/^\/mcp\/servers\/mixed\/headers is only for remote/),
      ]),
    )
    expect(app.mcpHub.status()).toEqual([])
  })

  it('closing the gateway ends every server process group', async () => {
    const app = gateway(BASE)
    await ready(app, 'fx')
    const grandchild = Number(textOf(await app.mcpHub.callTool('fx', 'grandchild', {})))
    await app.close()
    apps.splice(apps.indexOf(app), 1)
    await until(() => !pidAlive(grandchild), 5000)
    expect(app.mcpHub.status()).toEqual([])
  })
})
