import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { CHAT_COMPLETION, type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Breakers, latency samples and metric series exist for configured or catalogued models only: any other
// name a client makes up folds into one `other` series per provider, so their number stays bounded.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': (req: RecordedRequest, res) => {
      const { model } = req.body as { model: string }
      if (model.startsWith('unknown-')) return sendJson(res, 404, { error: { message: `no model ${model}` } })
      sendJson(res, 200, CHAT_COMPLETION)
    },
  })
  gw = await startGateway(`
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [m] }
routes:
  routed: { targets: [ { model: up/r } ] }
`)
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

const chat = (model: string) =>
  gw.app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })

describe('per-model state is bounded', () => {
  it('20k unknown model names leave /metrics under 1 MB, known ones keep their own series', async () => {
    expect((await chat('up/m')).statusCode).toBe(200)
    expect((await chat('routed')).statusCode).toBe(200)
    let next = 0
    const worker = async () => {
      while (next < 20_000) expect((await chat(`up/unknown-${next++}`)).statusCode).toBe(404)
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    const metrics = await (await gw.admin('/metrics')).text()
    expect(metrics.length).toBeLessThan(1024 ** 2)
    expect(metrics).toMatch(/switchyard_requests_total\{provider="up",model="other",status="404"\} 20000/)
    expect(metrics).toMatch(/switchyard_requests_total\{provider="up",model="m",status="200"\} 1/)
    expect(metrics).toMatch(/switchyard_requests_total\{provider="up",model="r",status="200"\} 1/)
    expect(metrics).toMatch(/switchyard_circuit_state\{provider="up",model="other"\} 0/)
  }, 30_000)
})
