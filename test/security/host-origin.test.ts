import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { rawRequest } from '../helpers/raw-http.js'

// Host and Origin (issue 16, point 1): a page that rebinds its own name to 127.0.0.1 is same-origin to
// itself, so only the Host it sends gives it away; a cross-site form can POST without reading the answer.

const ADMIN = 'admin-token-for-host-tests-0123456789'
const webRoot = mkdtempSync(join(tmpdir(), 'switchyard-host-web-'))
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Switchyard</title>')

let app: FastifyInstance
let url: string
let port: string
const admin = { authorization: `Bearer ${ADMIN}` }

beforeAll(async () => {
  const yaml = `
server: { allowedHosts: [Gateway.Example.com, "lan-box:8080"] }
providers:
  mock: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [m] }
discovery: { enabled: false }
`
  app = buildGateway(parseConfig(yaml, 'yaml', { SWITCHYARD_ADMIN_TOKEN: ADMIN }), { webRoot })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  port = new URL(url).port
})
afterAll(async () => {
  await app?.close()
  rmSync(webRoot, { recursive: true, force: true })
})

const asHost = (host: string, path: string, headers: Record<string, string> = {}) =>
  rawRequest(`${url}${path}`, { headers: { host, ...headers } })

describe('Host check', () => {
  it.each([
    ['health', '/health'],
    ['model API', '/v1/models'],
    ['Ollama API', '/api/tags'],
    ['admin API', '/admin/v1/logs'],
    ['web UI', '/'],
    ['web UI file', '/index.html'],
    ['sign-in state', '/auth/session'],
    ['metrics', '/metrics'],
    ['unknown path', '/nothing-here'],
  ])('refuses a foreign Host on %s with 403, admin token or not', async (_scope, path) => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`]) {
      const res = await asHost(host, path, { ...admin, accept: 'text/html' })
      expect(res.status, `${host} ${path}`).toBe(403)
      expect(res.text).not.toContain('Switchyard</title>')
      const { error } = JSON.parse(res.text)
      // Each API's own error format: Ollama's is a bare string.
      expect(error.message ?? error).toMatch(/host/)
    }
  })

  it('refuses PUT /admin/v1/providers/ID from a rebinding Host even with the admin token', async () => {
    const res = await rawRequest(`${url}/admin/v1/providers/mock`, {
      method: 'PUT',
      headers: { host: `evil.example:${port}`, 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ baseUrl: 'http://attacker.example/v1' }),
    })
    expect(res.status).toBe(403)
    expect(app.gatewayConfig.raw.providers?.mock.baseUrl).toBe('http://127.0.0.1:9/v1')
  })

  it('admits loopback names and addresses on any port, *.localhost and server.allowedHosts', async () => {
    for (const host of [
      `localhost:${port}`,
      'LOCALHOST',
      `127.0.0.1:${port}`,
      '127.1.2.3:99',
      `[::1]:${port}`,
      'app.localhost:1',
      'gateway.example.com',
      'gateway.example.com:443',
      'lan-box:8080',
    ]) {
      expect((await asHost(host, '/health')).status, host).toBe(200)
    }
    expect((await asHost('lan-box:9090', '/health')).status).toBe(403)
    expect((await asHost('localhost.evil.example', '/health')).status).toBe(403)
  })

  it('refuses a request with no Host at all (HTTP/1.0 allows leaving it out)', async () => {
    const socket = connect(Number(port), '127.0.0.1')
    socket.end('GET /health HTTP/1.0\r\n\r\n')
    let answer = ''
    for await (const chunk of socket) answer += chunk
    expect(answer).toMatch(/^HTTP\/1\.[01] 403/)
  })
})

describe('Origin check', () => {
  const post = (path: string, origin: string, headers: Record<string, string> = {}) =>
    rawRequest(`${url}${path}`, {
      method: 'POST',
      headers: { host: `127.0.0.1:${port}`, origin, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'mock/m', messages: [{ role: 'user', content: 'hi' }], name: 'minted' }),
    })

  it('refuses a state-changing request from a foreign Origin with 403', async () => {
    const chat = await post('/v1/chat/completions', 'http://evil.example')
    expect(chat.status).toBe(403)
    expect(JSON.parse(chat.text).error.message).toMatch(/origin/)
    const mint = await post('/admin/v1/keys', 'https://evil.example:4141', admin)
    expect(mint.status).toBe(403)
    expect(app.gatewayConfig.raw.keys ?? []).toEqual([])
    expect((await post('/auth/login', 'null')).status).toBe(403)
  })

  it('lets local pages, app shells and allowed hosts change state, and foreign pages read nothing', async () => {
    expect((await post('/admin/v1/redaction/test', 'http://localhost:5173', admin)).status).not.toBe(403)
    expect((await post('/admin/v1/redaction/test', 'https://gateway.example.com', admin)).status).not.toBe(403)
    expect((await post('/admin/v1/redaction/test', 'app://switchyard', admin)).status).not.toBe(403)
    // A GET from a foreign page is not refused here: CORS keeps its answer from the page.
    const get = await rawRequest(`${url}/health`, {
      headers: { host: `127.0.0.1:${port}`, origin: 'http://evil.example' },
    })
    expect(get.status).toBe(200)
    expect(get.headers['access-control-allow-origin']).toBeUndefined()
  })
})
