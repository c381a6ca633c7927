import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, HTTPMethods } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'

// Scopes, not prefixes (issue 16): every route the gateway registers, found by walking them all, answers
// 401 without credentials unless it is on the explicit public list below. A route added later inside a
// scope is covered the day it is added, because this walk finds it.

const ADMIN = 'admin-token-for-scope-tests-0123456789'
const CLIENT = 'sy-client-key-for-scope-tests-0123'

/** Everything that may answer without credentials. */
const PUBLIC = new Set([
  'GET /health',
  'HEAD /health',
  // Load balancers' readiness probe (issue 22): a status and backend names, nothing else.
  'GET /ready',
  'HEAD /ready',
  'GET /auth/login',
  'POST /auth/login',
  'POST /auth/logout',
  'GET /auth/session',
  'HEAD /auth/session',
  // Single sign-on (team mode): the browser's own navigations to the OpenID provider and back from it.
  'GET /auth/oidc/start',
  'GET /auth/oidc/callback',
  // Team mode's first owner; it needs the one-time token `serve` prints (409 in solo mode).
  'POST /auth/setup',
  // CORS preflights carry no credentials by design.
  'OPTIONS *',
])

const dir = mkdtempSync(join(tmpdir(), 'switchyard-scopes-'))
const webRoot = join(dir, 'web')
mkdirSync(join(webRoot, 'assets'), { recursive: true })
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Switchyard</title>')
writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)')
/** The built UI's files are public: the sign-in page is one of them, and `/setup` (the team setup link's page). */
const WEB_FILES = ['/', '/index.html', '/assets/app.js', '/setup']

let app: FastifyInstance
let url: string
const routes: { method: string; url: string }[] = []

beforeAll(async () => {
  const yaml = `
providers:
  mock: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [m] }
discovery: { enabled: false }
keys:
  - { name: ci, key: "\${env:CLIENT_KEY}" }
`
  app = buildGateway(parseConfig(yaml, 'yaml', { CLIENT_KEY: CLIENT, SWITCHYARD_ADMIN_TOKEN: ADMIN }), {
    webRoot,
    dataDir: join(dir, 'data'),
  })
  app.addHook('onRoute', (r) => {
    for (const method of ([] as HTTPMethods[]).concat(r.method)) routes.push({ method, url: r.url })
  })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A concrete path for a route pattern: parameters and wildcards become plain segments. */
const concrete = (pattern: string) => pattern.replace(/:[^/]+/g, 'x').replace(/\*$/, 'x')
const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`
const isWebFile = (r: { url: string }) => WEB_FILES.includes(r.url)
const guarded = () => routes.filter((r) => !PUBLIC.has(key(r)) && !isWebFile(r))

/**
 * Every route in Fastify's own tree (`printRoutes`), as `METHOD /path`. Each line is `prefix segment
 * (METHODS)`; a child's segment continues its parent's path, and the prefix's width gives the depth.
 */
function printedRoutes(tree: string): Set<string> {
  const out = new Set<string>()
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line)
    if (!m) continue
    const depth = m[1].length / 4
    stack.length = depth
    const path = (stack[depth - 1] ?? '') + m[2]
    stack.push(path)
    for (const method of m[3]?.split(', ') ?? []) out.add(`${method} ${path}`)
  }
  return out
}

describe('every registered route', () => {
  it('is found by the walk: all of them, admin, model APIs, web UI and public', () => {
    // The printed tree folds a wildcard into its parent's path (`/docs/static/*` prints under `/docs`).
    const wildcardless = (k: string) => k.replace(/\/(static\/)?\*$/, '*')
    expect(new Set(routes.map(key).map(wildcardless))).toEqual(printedRoutes(app.printRoutes({ commonPrefix: false })))
    const urls = new Set(routes.map((r) => r.url))
    for (const u of [
      '/admin/v1/keys',
      '/admin/v1/compare/runs',
      '/v1/chat/completions',
      '/v1/prompts/:name/run',
      '/api/chat',
    ])
      expect(urls, u).toContain(u)
    for (const u of ['/metrics', '/docs', '/openapi.json', '/health', '/auth/login', ...WEB_FILES])
      expect(urls, u).toContain(u)
    expect(guarded().length).toBeGreaterThan(100)
  })

  it('answers 401 without credentials unless it is on the public list', async () => {
    const open: string[] = []
    for (const r of guarded()) {
      const res = await fetch(`${url}${concrete(r.url)}`, { method: r.method })
      if (res.status !== 401) open.push(`${key(r)} -> ${res.status}`)
    }
    expect(open).toEqual([])
  })

  it('answers 401 on every admin route to a client key, and to a wrong admin token', async () => {
    const admin = routes.filter((r) => r.url.startsWith('/admin/'))
    expect(admin.length).toBeGreaterThan(60)
    const open: string[] = []
    for (const r of admin) {
      const attempts: Record<string, string>[] = [
        { authorization: `Bearer ${CLIENT}` },
        { 'x-api-key': CLIENT },
        { authorization: 'Bearer nope' },
      ]
      for (const headers of attempts) {
        const res = await fetch(`${url}${concrete(r.url)}`, { method: r.method, headers })
        if (res.status !== 401) open.push(`${key(r)} ${Object.keys(headers)[0]} -> ${res.status}`)
      }
    }
    expect(open).toEqual([])
  })

  it('lets the public ones and the web UI answer without credentials', async () => {
    for (const path of ['/health', '/ready', '/auth/session', ...WEB_FILES]) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(200)
    }
  })
})

describe('the web UI scope', () => {
  it('sends a CSP that forbids framing, plus nosniff and no-referrer', async () => {
    for (const path of WEB_FILES) {
      // As a browser asks: without text/html, `/` is the Ollama probe's plain "Ollama is running".
      const res = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } })
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toMatch(/frame-ancestors 'none'/)
      expect(csp).toMatch(/default-src 'self'/)
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    }
    // Every other response is nosniff and no-referrer too.
    const health = await fetch(`${url}/health`)
    expect(health.headers.get('x-content-type-options')).toBe('nosniff')
    expect(health.headers.get('referrer-policy')).toBe('no-referrer')
  })
})
