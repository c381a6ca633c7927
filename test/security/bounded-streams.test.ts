import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { startScriptedUpstream } from '../helpers/upstreams.js'

// A long streamed answer reaches the client whole, but the gateway keeps only a bounded prefix of it for
// the request log; token counts still come from the usage at the end of the stream.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway

const DELTAS = 5000
const PIECE = 'x'.repeat(1000)
const frame = (obj: object) => `data: ${JSON.stringify(obj)}\n\n`

beforeAll(async () => {
  up = await startScriptedUpstream({
    'POST /v1/chat/completions': async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // An error frame first, padded with braces that never close: 64 KB, one socket read.
      if ((req.body as { model: string }).model === 'braces') {
        res.end(`data: {"error"${'{'.repeat(64_000)}`)
        return
      }
      for (let i = 0; i < DELTAS; i++) {
        const ok = res.write(frame({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content: PIECE } }] }))
        if (!ok) await new Promise((r) => res.once('drain', r))
      }
      res.write(frame({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))
      res.write(frame({ id: 'c', model: 'm', choices: [], usage: { prompt_tokens: 7, completion_tokens: 4321 } }))
      res.end('data: [DONE]\n\n')
    },
  })
  gw = await startGateway(`
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [m, braces] }
routes:
  braces: { retries: { attempts: 0 }, targets: [ { model: up/braces } ] }
`)
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

async function streamed(path: string, body: object): Promise<string> {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...body, stream: true }),
  })
  expect(res.status).toBe(200)
  return res.text()
}

describe('long streams keep a bounded prefix for the log', () => {
  it.each([
    ['pass-through (OpenAI to OpenAI)', '/v1/chat/completions', {}],
    ['translated (Anthropic client, OpenAI upstream)', '/v1/messages', { max_tokens: 10 }],
  ])('%s', async (_name, path, extra) => {
    const before = gw.events.length
    const text = await streamed(path, { model: 'up/m', messages: [{ role: 'user', content: 'go' }], ...extra })
    expect(text.split(PIECE).length - 1).toBe(DELTAS)
    const [event] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(event).toMatchObject({ status: 200, inputTokens: 7, outputTokens: 4321 })
    const logged = (event.responseBody as { content: string }).content
    expect(logged.startsWith(PIECE)).toBe(true)
    expect(logged.length).toBeLessThanOrEqual(1024 * 1024 + PIECE.length)
  })

  it('an error frame first is read in linear time, whatever it holds', async () => {
    const t0 = performance.now()
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'braces', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    })
    expect(res.status).toBeGreaterThanOrEqual(500)
    await res.text()
    // Old code: 2 s for these 64 KB; the bound leaves room for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(1000)
  })
})
