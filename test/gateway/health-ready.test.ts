import { afterEach, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { rawRequest } from '../helpers/raw-http.js'

// GET /ready beside /health: public, bodies fixed, and under the same Host rule (nothing else widened).

const gateways: TestGateway[] = []
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})

it('without redis: /health is exactly {"status":"ok"} and /ready answers ready, with keys configured and no credentials sent', async () => {
  const gw = await startGateway(
    'keys:\n  - { name: ci, key: "sk-sy-ready-0123456789abcdef" }\ndiscovery: { enabled: false }\n',
  )
  gateways.push(gw)
  const health = await fetch(`${gw.url}/health`)
  expect(health.status).toBe(200)
  expect(await health.text()).toBe('{"status":"ok"}')
  const ready = await fetch(`${gw.url}/ready`)
  expect(ready.status).toBe(200)
  expect(ready.headers.get('content-type')).toContain('application/json')
  expect(await ready.text()).toBe('{"status":"ready"}')
  // Everything else still wants its key.
  expect((await fetch(`${gw.url}/v1/models`)).status).toBe(401)
})

it('/ready takes the Host rule /health takes: refused for a name not allowed, served for one in allowedHosts', async () => {
  const gw = await startGateway('server: { allowedHosts: [lb.internal] }\ndiscovery: { enabled: false }\n')
  gateways.push(gw)
  for (const path of ['/health', '/ready']) {
    const foreign = await rawRequest(`${gw.url}${path}`, { headers: { host: 'evil.example' } })
    expect(foreign.status, path).toBe(403)
    const allowed = await rawRequest(`${gw.url}${path}`, { headers: { host: 'lb.internal' } })
    expect(allowed.status, path).toBe(200)
  }
})
