import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { startScriptedUpstream } from '../helpers/upstreams.js'

// After a stream's first byte, only the upstream's failures (read errors, error frames, a cut stream,
// timeouts) count against its circuit breaker. An exception in the gateway's own code while relaying the
// stream (here: the OpenAI stream decoder meets a `choices: [null]` frame and throws a TypeError) is
// logged as a 500 internal error and leaves the breaker alone: it says nothing about the upstream's health.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway

const frame = (obj: object) => `data: ${JSON.stringify(obj)}\n\n`
const TEXT = { id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'hello' } }] }

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': (req, res) => {
      const { model, stream } = req.body as { model: string; stream?: boolean }
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ id: 'r', model: 'm', choices: [null] }))
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(frame(TEXT))
      // The first frame reaches the client before the second one arrives.
      setTimeout(() => {
        if (model === 'odd') res.end(frame({ id: 'c', model: 'm', choices: [null] }))
        else if (model === 'garbled') res.end('data: {"choices":[],"usage": {not json}\n\n')
        else res.end(frame({ error: { message: 'the model crashed', type: 'server_error' } }))
      }, 20)
    },
  })
  gw = await startGateway(
    `
server:
  # A stream that fails after its first byte records a success (it opened) and then a failure: the
  # error rate over the window is what opens the circuit.
  breaker: { failureThreshold: 100, errorRate: 0.5, minRequests: 4, windowMs: 60000, cooldownMs: 60000 }
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [odd, crash, garbled] }
routes:
  odd: { retries: { attempts: 0 }, targets: [ { model: up/odd } ] }
  crash: { retries: { attempts: 0 }, targets: [ { model: up/crash } ] }
  garbled: { retries: { attempts: 0 }, targets: [ { model: up/garbled } ] }
`,
    {},
  )
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

/** An Anthropic client on an OpenAI upstream: the stream is translated, so the decoder reads every frame. */
async function streamed(model: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  })
  return { status: res.status, text: await res.text() }
}

async function circuitState(model: string): Promise<string | undefined> {
  const text = await (await gw.admin('/metrics')).text()
  return new RegExp(`switchyard_circuit_state\\{provider="up",model="${model}"\\} (\\d)`).exec(text)?.[1]
}

describe('what breaks a stream after its first byte', () => {
  it('the gateway failing on a frame is a 500 internal error that no breaker counts', async () => {
    const before = gw.events.length
    const texts: string[] = []
    for (let i = 0; i < 3; i++) {
      const { status, text } = await streamed('odd')
      // Every call reaches the upstream: the circuit never opens.
      expect(status).toBe(200)
      texts.push(text)
    }
    for (const text of texts) {
      expect(text).toContain('hello')
      expect(text).toMatch(/event: error\ndata: .*internal gateway error/)
    }
    const rows = (await waitForEvents(gw, before + 3)).slice(before)
    expect(rows.map((r) => r.status)).toEqual([500, 500, 500])
    expect(await circuitState('odd')).toBe('0')
  })

  it('an upstream error frame after the first byte still counts against the breaker', async () => {
    const before = gw.events.length
    expect((await streamed('crash')).status).toBe(200)
    expect((await streamed('crash')).status).toBe(200)
    const rows = (await waitForEvents(gw, before + 2)).slice(before)
    expect(rows.map((r) => r.status)).toEqual([502, 502])
    expect(await circuitState('crash')).toBe('2')
    // Refused before anything is sent: Anthropic's "overloaded" status.
    expect((await streamed('crash')).status).toBe(529)
  })

  it('a complete answer the gateway fails to translate is a 500 too, not the provider failing', async () => {
    const before = gw.events.length
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'up/odd', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(500)
    expect(JSON.stringify(await res.json())).not.toContain('Cannot read')
    const [row] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(row).toMatchObject({ status: 500, error: 'internal gateway error' })
  })

  it('a usage frame that is not JSON, passed through, is the upstream failing (502)', async () => {
    const before = gw.events.length
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'garbled', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('hello')
    const [row] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(row).toMatchObject({ status: 502 })
    expect(row.error).toMatch(/not a JSON object/)
  })
})
