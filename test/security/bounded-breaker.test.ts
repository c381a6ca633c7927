import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Only upstream failures move a circuit breaker. A request the gateway refuses before sending it (here: an
// Anthropic target sent an image by an ftp: URL) says nothing about the upstream's health, so it must neither count as a
// failure nor be taken as the probe that closes an open circuit.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway
let now = 1_000_000

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/messages': (_req, res) =>
      sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: 'upstream is down' } }),
  })
  gw = await startGateway(
    `
server:
  breaker: { failureThreshold: 2, cooldownMs: 1000, minRequests: 1000 }
providers:
  claude: { type: anthropic, baseUrl: "${up.url}", apiKey: sk-ant-test, models: [sick] }
routes:
  sick: { retries: { attempts: 0 }, targets: [ { model: claude/sick } ] }
`,
    {},
    { clock: () => now, sleep: async () => {} },
  )
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

const chat = (extra: Record<string, unknown> = {}) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sick', messages: [{ role: 'user', content: 'hi' }], ...extra }),
  })

async function circuitState(): Promise<string | undefined> {
  const text = await (await gw.admin('/metrics')).text()
  return /switchyard_circuit_state\{provider="claude",model="sick"\} (\d)/.exec(text)?.[1]
}

describe('breaker accounting', () => {
  it('a request refused before it is sent does not close an open circuit', async () => {
    expect((await chat()).status).toBe(500)
    expect((await chat()).status).toBe(500)
    expect(await circuitState()).toBe('2')
    now += 5000
    const refused = await chat({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://example.com/cat.png' } }] }],
    })
    expect(refused.status).toBe(400)
    expect(await circuitState()).not.toBe('0')
    // The next real call is the probe; the upstream is still down, so the circuit opens again.
    expect((await chat()).status).toBe(500)
    expect(await circuitState()).toBe('2')
    expect(up.requests.filter((r) => r.path === '/v1/messages').length).toBe(3)
  })
})
