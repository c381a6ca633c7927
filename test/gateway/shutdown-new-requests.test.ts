import { once } from 'node:events'
import { type AddressInfo, connect, createServer } from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.js'
import { startScriptedUpstream } from '../helpers/upstreams.js'

// Issue 23: a call that reached the gateway while it was closing (within server.shutdownGraceMs) got
// Fastify's own `{"error":"Service Unavailable",…}`, which no client reads as its API's error. It now
// gets a 503 in the caller's format, with Retry-After and Connection: close.

let up: Awaited<ReturnType<typeof startScriptedUpstream>>

beforeAll(async () => {
  up = await startScriptedUpstream({
    // Streams until the gateway hangs up: it keeps the gateway in its grace period.
    'POST /v1/chat/completions': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      while (!res.destroyed) {
        res.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] })}\n\n`,
        )
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  })
})
afterAll(() => up.stop())

/**
 * A client whose request had begun to arrive when close began (a slow link): a connection to the
 * gateway that has sent the first byte of the request line, relayed to a local port. The SDK's
 * request, sent there later, completes it. Closing keeps such a connection (it is not idle), so its
 * request is read while the gateway closes; a new connection would be refused.
 */
async function begunRequest(gatewayUrl: string, method: 'GET' | 'POST'): Promise<{ url: string; close(): void }> {
  const gateway = connect(Number(new URL(gatewayUrl).port), '127.0.0.1')
  await once(gateway, 'connect')
  gateway.write(method[0])
  const relay = createServer((client) => {
    client.once('data', (first: Buffer) => {
      expect(first.toString('latin1', 0, method.length)).toBe(method)
      gateway.write(first.subarray(1))
      client.pipe(gateway)
    })
    gateway.pipe(client)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    close: () => {
      gateway.destroy()
      relay.close()
    },
  }
}

describe('a call that arrives while the gateway is closing', () => {
  it('gets a 503 in its own API format, with Retry-After and Connection: close', async () => {
    const gw = await startGateway(`
server: { shutdownGraceMs: 1500 }
providers:
  up: { type: openai-compatible, baseUrl: "${up.url}/v1" }
`)
    const stream = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/m', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    })
    const streamed = stream.text().catch(() => '')
    const viaOpenAI = await begunRequest(gw.url, 'POST')
    const viaAnthropic = await begunRequest(gw.url, 'POST')
    const viaOllama = await begunRequest(gw.url, 'POST')
    const viaAdmin = await begunRequest(gw.url, 'GET')
    try {
      const closed = gw.close()
      while (gw.app.server.listening) await new Promise((r) => setTimeout(r, 5))

      const openai = new OpenAI({ baseURL: `${viaOpenAI.url}/v1`, apiKey: 'unused', maxRetries: 0 })
      const openaiErr = await openai.chat.completions
        .create({ model: 'up/m', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e)
      expect(openaiErr).toBeInstanceOf(OpenAI.APIError)
      const oe = openaiErr as InstanceType<typeof OpenAI.APIError>
      expect(oe.status).toBe(503)
      expect(oe.error).toMatchObject({ type: 'server_error', code: 'shutting_down' })
      expect(oe.message).toMatch(/shutting down/)
      expect(oe.headers?.get('retry-after')).toMatch(/^\d+$/)
      expect(oe.headers?.get('connection')).toBe('close')

      const anthropic = new Anthropic({ baseURL: viaAnthropic.url, apiKey: 'unused', maxRetries: 0 })
      const anthropicErr = await anthropic.messages
        .create({ model: 'up/m', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e)
      expect(anthropicErr).toBeInstanceOf(Anthropic.APIError)
      const ae = anthropicErr as InstanceType<typeof Anthropic.APIError>
      expect(ae.status).toBe(503)
      expect(ae.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } })
      expect(ae.headers?.get('retry-after')).toMatch(/^\d+$/)

      const ollama = await fetch(`${viaOllama.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'up/m', messages: [{ role: 'user', content: 'hi' }] }),
      })
      expect(ollama.status).toBe(503)
      expect(await ollama.json()).toEqual({ error: expect.stringMatching(/shutting down/) })

      const admin = await fetch(`${viaAdmin.url}/admin/v1/info`, { headers: gw.adminHeaders })
      expect(admin.status).toBe(503)
      expect(await admin.json()).toMatchObject({ error: { code: 'shutting_down' } })

      await closed
      // The call that was in flight was ended by the grace period, as before.
      expect(await streamed).toMatch(/shutting down/)
    } finally {
      for (const r of [viaOpenAI, viaAnthropic, viaOllama, viaAdmin]) r.close()
    }
  })
})
