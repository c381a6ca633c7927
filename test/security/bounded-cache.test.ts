import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// The response cache keeps whole answers up to a size: a streamed answer is collected as it passes, and
// without a cap a huge one would be held in memory whole (and then stored). An answer over the cap still
// reaches the client in full; it is just not cached, so the same call again goes upstream.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted
let gw: TestGateway

const PIECE = 'y'.repeat(1000)
/** 10 MB of answer text: far over the cache's per-answer cap, well under the 32 MB reply cap. */
const BIG_PIECES = 10_000
const frame = (obj: object) => `data: ${JSON.stringify(obj)}\n\n`

const chats = () => up.requests.filter((r) => r.path === '/v1/chat/completions').length

async function answer(req: RecordedRequest, res: import('node:http').ServerResponse): Promise<void> {
  const body = req.body as { stream?: boolean; messages: { content: string }[] }
  const pieces = body.messages[0].content.startsWith('big') ? BIG_PIECES : 1
  const usage = { prompt_tokens: 3, completion_tokens: pieces }
  if (!body.stream) {
    sendJson(res, 200, {
      id: 'r',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: PIECE.repeat(pieces) }, finish_reason: 'stop' }],
      usage,
    })
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (let i = 0; i < pieces; i++) {
    const ok = res.write(frame({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content: PIECE } }] }))
    if (!ok) await new Promise((r) => res.once('drain', r))
  }
  res.write(frame({ id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))
  res.write(frame({ id: 'c', model: 'm', choices: [], usage }))
  res.end('data: [DONE]\n\n')
}

beforeAll(async () => {
  up = await startScriptedUpstream({ 'POST /v1/chat/completions': answer })
  gw = await startGateway(`
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [m] }
cache: { mode: exact }
`)
})

afterAll(async () => {
  await gw?.close()
  await up?.stop()
})

async function call(content: string, stream: boolean): Promise<{ cache: string | null; text: string }> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'up/m', stream, messages: [{ role: 'user', content }] }),
  })
  expect(res.status).toBe(200)
  return { cache: res.headers.get('x-switchyard-cache'), text: await res.text() }
}

describe('the response cache keeps answers up to a size', () => {
  it.each([
    ['streamed', true],
    ['complete', false],
  ])('a small %s answer is cached (the cache is on)', async (_name, stream) => {
    const before = chats()
    expect((await call(`small ${stream}`, stream)).cache).toBe('miss')
    expect((await call(`small ${stream}`, stream)).cache).toBe('hit')
    expect(chats() - before).toBe(1)
  })

  it.each([
    ['streamed', true],
    ['complete', false],
  ])('a 10 MB %s answer reaches the client whole but is not cached', async (_name, stream) => {
    const before = chats()
    // One stored answer serves streamed and complete callers alike, so each case asks its own question.
    const first = await call(`big ${stream}`, stream)
    expect(first.cache).toBe('miss')
    expect(first.text.split(PIECE).length - 1).toBe(BIG_PIECES)
    const second = await call(`big ${stream}`, stream)
    expect(second.cache).toBe('miss')
    expect(second.text.split(PIECE).length - 1).toBe(BIG_PIECES)
    expect(chats() - before).toBe(2)
  })
})
