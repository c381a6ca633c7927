import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { serveFromSource } from '../helpers/serve-source.js'

// Admin is always authenticated (issue 16, point 4): on loopback too, with the admin token or the web
// UI's session; never with a client key. Off loopback, the model APIs need a key even when none is set.

const ADMIN = 'admin-token-for-auth-tests-0123456789'
const CLIENT = 'sy-client-key-for-auth-tests-0123'
const YAML = `
providers:
  mock: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [m] }
discovery: { enabled: false }
keys:
  - { name: ci, key: "\${env:CLIENT_KEY}" }
`

let app: FastifyInstance
let url: string

beforeAll(async () => {
  app = buildGateway(parseConfig(YAML, 'yaml', { CLIENT_KEY: CLIENT, SWITCHYARD_ADMIN_TOKEN: ADMIN }), {
    webRoot: false,
  })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
})

const call = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init)
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const mintKey = (headers: Record<string, string>) =>
  call('/admin/v1/keys', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: `minted-${Math.random().toString(36).slice(2)}` }),
  })

describe('the admin API on loopback', () => {
  it('answers 401 without a token, with a wrong token and with a client key', async () => {
    const attempts: Record<string, string>[] = [
      {},
      bearer('wrong-token'),
      bearer(CLIENT),
      { 'x-api-key': CLIENT },
      bearer(`${ADMIN}x`),
    ]
    for (const headers of attempts) {
      const res = await call('/admin/v1/logs', { headers })
      expect(res.status, JSON.stringify(headers)).toBe(401)
      expect((await res.json()).error.code).toBe('invalid_admin_token')
      expect((await mintKey(headers)).status).toBe(401)
    }
    expect(app.gatewayConfig.raw.keys?.map((k) => k.name)).toEqual(['ci'])
  })

  it('guards the same routes however the path is spelled', async () => {
    for (const path of ['//admin/v1/info/', '/admin//v1/info', '/admin/v1/info?x=1', '/%61dmin/v1/info']) {
      const res = await call(path)
      expect([401, 404], path).toContain(res.status)
    }
    expect((await call('//admin/v1/info/')).status).toBe(401)
  })

  it('answers the admin token', async () => {
    expect((await call('/admin/v1/info', { headers: bearer(ADMIN) })).status).toBe(200)
    expect(app.adminToken).toBe(ADMIN)
  })

  it('wants the token from in-process (inject) callers too', async () => {
    expect((await app.inject({ method: 'GET', url: '/admin/v1/info' })).statusCode).toBe(401)
    const ok = await app.inject({ method: 'GET', url: '/admin/v1/info', headers: bearer(ADMIN) })
    expect(ok.statusCode).toBe(200)
  })
})

describe('web UI sessions', () => {
  const login = (token: string) =>
    call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]

  it('signs in with the admin token into an HttpOnly, SameSite=Strict cookie, and out again', async () => {
    expect((await login('wrong')).status).toBe(401)
    expect((await login(CLIENT)).status).toBe(401)
    const res = await login(ADMIN)
    expect(res.status).toBe(204)
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^switchyard_session=[\w-]{40,};/)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\//)
    const cookie = cookieOf(res)
    expect(await (await call('/auth/session', { headers: { cookie } })).json()).toEqual({
      mode: 'solo',
      authenticated: true,
    })
    expect(await (await call('/auth/session')).json()).toEqual({ mode: 'solo', authenticated: false })
    expect((await call('/admin/v1/info', { headers: { cookie } })).status).toBe(200)

    expect((await call('/auth/logout', { method: 'POST', headers: { cookie } })).status).toBe(204)
    expect((await call('/admin/v1/info', { headers: { cookie } })).status).toBe(401)
    expect(await (await call('/auth/session', { headers: { cookie } })).json()).toEqual({
      mode: 'solo',
      authenticated: false,
    })
  })

  it('needs the CSRF header for state-changing calls made with the cookie', async () => {
    const cookie = cookieOf(await login(ADMIN))
    const without = await mintKey({ cookie })
    expect(without.status).toBe(401)
    expect((await without.json()).error.code).toBe('csrf_header_required')
    expect((await mintKey({ cookie, 'x-switchyard-csrf': '1' })).status).toBe(201)
    // The model APIs take the session too (the UI's Playground), with the same rule for POSTs.
    expect((await call('/v1/models', { headers: { cookie } })).status).toBe(200)
    const chat = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/m', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(chat.status).toBe(401)
  })

  it('opens a session with a one-time code exactly once', async () => {
    const code = app.createLoginCode()
    // A link preview's HEAD does not spend it.
    expect((await call(`/auth/login?code=${code}`, { method: 'HEAD' })).status).toBe(404)
    const first = await call(`/auth/login?code=${code}`, { redirect: 'manual' })
    expect(first.status).toBe(302)
    expect(first.headers.get('location')).toBe('/')
    const cookie = cookieOf(first)
    expect((await call('/admin/v1/info', { headers: { cookie } })).status).toBe(200)
    // A spent or made-up code gets no cookie, only the sign-in page with the reason.
    for (const spent of [code, 'made-up']) {
      const again = await call(`/auth/login?code=${spent}`, { redirect: 'manual' })
      expect(again.status).toBe(302)
      expect(again.headers.get('location')).toBe('/?signin=link-invalid')
      expect(again.headers.get('set-cookie')).toBeNull()
    }
  })
})

describe('the model APIs', () => {
  it('take a client key or the admin token once keys exist, and nothing else', async () => {
    expect((await call('/v1/models')).status).toBe(401)
    expect((await call('/v1/models', { headers: bearer('wrong') })).status).toBe(401)
    expect((await call('/v1/models', { headers: bearer(CLIENT) })).status).toBe(200)
    expect((await call('/v1/models', { headers: bearer(ADMIN) })).status).toBe(200)
    expect((await call('/metrics')).status).toBe(401)
    expect((await call('/api/tags')).status).toBe(401)
  })

  it('are not open off loopback with only an admin token and no keys', async () => {
    const open = buildGateway(
      parseConfig('discovery: { enabled: false }\nserver: { adminToken: "${env:ADMIN}" }\n', 'yaml', { ADMIN }),
      { webRoot: false },
    )
    const port = new URL(await open.listen({ host: '0.0.0.0', port: 0 })).port
    try {
      for (const path of ['/v1/models', '/api/tags', '/metrics', '/docs', '/openapi.json']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`)
        expect(res.status, path).toBe(401)
      }
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
    } finally {
      await open.close()
    }
  })
})

describe('the admin token', () => {
  it('is generated once into DATA_DIR/admin-token (0600, folder 0700) and kept across starts', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'switchyard-admin-token-'))
    const dataDir = join(parent, 'data')
    try {
      const first = buildGateway(parseConfig('discovery: { enabled: false }\n', 'yaml', {}), {
        webRoot: false,
        dataDir,
      })
      const token = first.adminToken
      await first.close()
      expect(token).toMatch(/^[\w-]{43}$/)
      const file = join(dataDir, 'admin-token')
      expect(readFileSync(file, 'utf8').trim()).toBe(token)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(dataDir).mode & 0o777).toBe(0o700)
      const second = buildGateway(parseConfig('discovery: { enabled: false }\n', 'yaml', {}), {
        webRoot: false,
        dataDir,
      })
      expect(second.adminToken).toBe(token)
      await second.close()
      const fromEnv = buildGateway(
        parseConfig('discovery: { enabled: false }\n', 'yaml', { SWITCHYARD_ADMIN_TOKEN: ADMIN }),
        {
          webRoot: false,
          dataDir,
        },
      )
      expect(fromEnv.adminToken).toBe(ADMIN)
      await fromEnv.close()
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
  })
})

describe('switchyard serve', () => {
  it('prints a one-time sign-in link after its listening line, and never the token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-serve-login-'))
    const serve = await serveFromSource(dataDir, [], {})
    try {
      await expect.poll(() => serve.output(), { timeout: 10_000 }).toMatch(/Sign in to the web UI: /)
      const lines = serve.output().split('\n')
      const at = lines.findIndex((l) => l.startsWith('Switchyard listening on '))
      expect(lines[at + 1]).toMatch(new RegExp(`^Sign in to the web UI: ${serve.url}/auth/login\\?code=[\\w-]+$`))
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
      expect(serve.output()).not.toContain(token)
      const link = lines[at + 1].slice('Sign in to the web UI: '.length)
      const first = await fetch(link, { redirect: 'manual' })
      expect(first.status).toBe(302)
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]
      expect((await fetch(`${serve.url}/admin/v1/info`, { headers: { cookie } })).status).toBe(200)
      expect((await fetch(link, { redirect: 'manual' })).headers.get('location')).toBe('/?signin=link-invalid')
    } finally {
      await serve.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)

  it('refuses to listen off loopback without client keys, even with an admin token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-serve-lan-'))
    try {
      const started = serveFromSource(dataDir, ['--host', '0.0.0.0'], { SWITCHYARD_ADMIN_TOKEN: ADMIN })
      await expect(started).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('an empty admin-token file', () => {
  it('is replaced by a new token, and an empty token never signs in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-empty-token-'))
    writeFileSync(join(dataDir, 'admin-token'), '')
    const gw = buildGateway(parseConfig('discovery: { enabled: false }\n', 'yaml', {}), { webRoot: false, dataDir })
    try {
      const res = await gw.inject({ method: 'POST', url: '/auth/login', payload: { token: '' } })
      expect(res.statusCode).toBe(401)
      const kept = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
      expect(kept.length).toBeGreaterThan(20)
      expect(gw.adminToken).toBe(kept)
      expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600)
    } finally {
      await gw.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
