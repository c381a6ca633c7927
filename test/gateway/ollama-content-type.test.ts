import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Ollama reads a JSON body whatever its content type, and so do the tools written for it: curl's `-d`
// sends `application/x-www-form-urlencoded`. The `/api/*` routes must take such bodies; `/v1` keeps its rules.
// The docs' own `curl …/api/…` examples run in test/docs/code-blocks.test.ts.

let mock: RunningMock
let gw: TestGateway

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
`)
})

afterAll(async () => {
  await gw?.close()
  await mock?.stop()
})

describe('/api/* bodies', () => {
  const chat = JSON.stringify({ model: 'compat/mock-gpt', messages: [{ role: 'user', content: 'hi' }], stream: false })
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method: 'POST', body, headers })

  it.each(['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream'])(
    'are JSON whatever the content type: %s',
    async (type) => {
      const res = await post('/api/chat', chat, { 'content-type': type })
      expect(res.status, await res.clone().text()).toBe(200)
      expect((await res.json()).done).toBe(true)
    },
  )

  it('are JSON without a content type', async () => {
    const res = await fetch(`${gw.url}/api/chat`, { method: 'POST', body: new Blob([chat]) })
    expect(res.status).toBe(200)
  })

  it('keep the JSON checks: null, empty, broken and too deep are refused in Ollama format', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`
    for (const body of ['null', '', '{"model":', `{"model":"compat/mock-gpt","messages":${deep}}`]) {
      const res = await post('/api/chat', body, form)
      expect(res.status, body.slice(0, 20)).toBe(400)
      expect(await res.json()).toEqual({ error: expect.any(String) })
    }
  })

  it('still refuse a cross-site page: a form-encoded POST is a simple request, the Origin check stops it', async () => {
    const res = await post('/api/chat', chat, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    })
    expect(res.status).toBe(403)
  })

  it('leave /v1 as it was: a form-encoded body there is still refused', async () => {
    const res = await post('/v1/chat/completions', chat, { 'content-type': 'application/x-www-form-urlencoded' })
    expect(res.status).toBe(415)
  })
})
