import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Issue 16, point 8: "The Playground gets 401 once any key exists". The renderer's own model calls (Playground
// stream, prompt runs) go to /v1 as the admin: the web build with its session cookie and CSRF header, the
// desktop window with the admin token from the preload bridge. These tests drive the renderer's real API
// modules against a real gateway that has a client key configured.

const CLIENT_KEY = 'sk-sy-ui-0123456789abcdefSECRET'
let mock: RunningMock
let gw: TestGateway

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startGateway(
    `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
keys:
  - { name: ci, key: "\${env:SY_UI_KEY}" }
prompts:
  greet:
    model: mock/mock-gpt
    messages: [{ role: user, content: "Say hi to {{name}}" }]
`,
    { SY_UI_KEY: CLIENT_KEY },
  )
})
afterAll(async () => {
  await gw?.close()
  await mock?.stop()
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.resetModules()
})

/** The renderer's API modules, fresh (they remember the gateway address and credentials once loaded). */
async function rendererApi() {
  const { streamChat } = await import('../../src-renderer/src/api/chat-stream')
  const { promptsApi } = await import('../../src-renderer/src/api/prompts')
  return { streamChat, promptsApi }
}

async function playgroundSays(text: string): Promise<string> {
  const { streamChat } = await rendererApi()
  let reply = ''
  await streamChat(
    { model: 'mock/mock-gpt', messages: [{ role: 'user', content: text }] },
    {
      signal: new AbortController().signal,
      onDelta: (t) => {
        reply += t
      },
    },
  )
  return reply
}

describe('the UI calls the model API as the admin once client keys exist', () => {
  it('the gateway does want a key from anyone else', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(res.status).toBe(401)
  })

  it('desktop: the Playground and a prompt run answer with the bridge’s admin token', async () => {
    vi.stubGlobal('window', {
      desktop: { gatewayInfo: async () => ({ baseUrl: gw.url }), adminToken: async () => gw.app.adminToken },
    })
    expect(await playgroundSays('from the desktop')).toBe('Echo: from the desktop')
    const { promptsApi } = await rendererApi()
    const run = await promptsApi.run('greet', { variables: { name: 'Ada' } })
    expect(run.text).toBe('Echo: Say hi to Ada')
  })

  it('desktop: an export can be saved under its own name from the file:// page (a cross-origin caller)', async () => {
    const res = await fetch(`${gw.url}/admin/v1/config/export?format=yaml`, {
      headers: { origin: 'file://', ...gw.adminHeaders },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toMatch(/filename=/)
    // Without this, the page cannot read the name and Chromium saves the file as a random id.
    expect(res.headers.get('access-control-expose-headers')).toContain('content-disposition')
  })

  it('web: the Playground and a prompt run answer with the session cookie and the CSRF header', async () => {
    // A browser's cookie jar for this one origin: the session from signing in, sent on same-origin requests
    // only when the caller asks for credentials (as `credentials: 'same-origin'` does).
    const login = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: gw.app.adminToken }),
    })
    expect(login.status).toBe(204)
    const session = (login.headers.get('set-cookie') ?? '').split(';')[0]
    expect(session).toMatch(/^switchyard_session=./)
    const realFetch = globalThis.fetch
    vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
      const sameOrigin = new URL(url).origin === gw.url
      if (!sameOrigin || init.credentials !== 'same-origin') return realFetch(url, init)
      const headers = new Headers(init.headers)
      headers.set('cookie', session)
      return realFetch(url, { ...init, headers })
    })
    vi.stubGlobal('window', { location: { origin: gw.url } })
    expect(await playgroundSays('from the browser')).toBe('Echo: from the browser')
    const { promptsApi } = await rendererApi()
    const run = await promptsApi.run('greet', { variables: { name: 'Bo' } })
    expect(run.text).toBe('Echo: Say hi to Bo')
  })
})
