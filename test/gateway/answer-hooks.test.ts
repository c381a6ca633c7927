import type { ServerResponse } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import { startScriptedUpstream } from '../helpers/upstreams.js'

// A call pays only for the answer hooks its stages ask for: with none (or a redaction that found nothing to
// put back) a same-dialect stream reaches the client exactly as the upstream wrote it; once a stage looks at
// the chunks (placeholders to restore) the stream is translated and the hook's work shows.

const EMAIL = 'jane.doe@example.com'

/** Frames the canonical format would not reproduce: a vendor field, spaces after colons, odd key order. */
function streamBytes(text: string): string {
  const frames = [
    `{"id": "c1", "model": "echo", "object": "chat.completion.chunk", "created": 1, "x_vendor": {"k": 1}, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]}`,
    `{"id": "c1", "model": "echo", "object": "chat.completion.chunk", "created": 1, "choices": [{"index": 0, "delta": {"content": ${JSON.stringify(text)}}, "finish_reason": null}]}`,
    `{"id": "c1", "model": "echo", "object": "chat.completion.chunk", "created": 1, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}}`,
    '[DONE]',
  ]
  return frames.map((f) => `data: ${f}\n\n`).join('')
}

type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>
let upstream: Upstream
let gw: TestGateway | undefined

beforeAll(async () => {
  upstream = await startScriptedUpstream({
    // Echoes the last user message, so a placeholder in the request comes back in the answer.
    '/v1/chat/completions': (req, res: ServerResponse) => {
      const messages = (req.body as { messages: { content: string }[] }).messages
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(streamBytes(`You said: ${messages.at(-1)?.content}`))
    },
  })
})
afterEach(async () => {
  await gw?.close()
  gw = undefined
})
afterAll(() => upstream.stop())

const config = (redaction: string) => `
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [echo] }
redaction: ${redaction}
`

async function streamed(content: string): Promise<string> {
  const res = await fetch(`${gw!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'up/echo', stream: true, messages: [{ role: 'user', content }] }),
  })
  expect(res.status).toBe(200)
  return res.text()
}

describe('answer hooks per call', () => {
  it('passes a same-dialect stream through byte for byte when no stage looks at it', async () => {
    gw = await startGateway(config('{ mode: "off" }'))
    expect(await streamed('hello')).toBe(streamBytes('You said: hello'))
    const [event] = await waitForEvents(gw, 1)
    expect([event.status, event.inputTokens, event.outputTokens]).toEqual([200, 4, 2])
  })

  it('still passes it through when redaction found nothing to put back', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    expect(await streamed('hello')).toBe(streamBytes('You said: hello'))
  })

  it('translates the stream when a placeholder must be restored, and restores it', async () => {
    gw = await startGateway(config('{ mode: reversible }'))
    const out = await streamed(`mail ${EMAIL}`)
    // The upstream saw (and echoed) a placeholder; the client gets the original.
    expect(JSON.stringify(upstream.requests.at(-1)?.body)).not.toContain(EMAIL)
    // Re-encoded by the gateway: the upstream's spacing is gone.
    expect(out).not.toContain('"id": "c1"')
    const text = out
      .split('\n\n')
      .filter((f) => f.startsWith('data: {'))
      .map((f) => JSON.parse(f.slice(6)).choices[0]?.delta?.content ?? '')
      .join('')
    expect(text).toBe(`You said: mail ${EMAIL}`)
  })
})
