import { afterEach, describe, expect, it, vi } from 'vitest'

// client.ts remembers the gateway address and credentials once asked: each test loads it fresh.
async function freshClient() {
  vi.resetModules()
  return import('./client')
}

function stubFetch(res: () => Response) {
  const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => res())
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

const desktop = { gatewayInfo: async () => ({ baseUrl: 'http://127.0.0.1:4141' }), adminToken: async () => 'T0KEN' }

afterEach(() => vi.unstubAllGlobals())

describe('every call carries the admin credentials', () => {
  it('web: same-origin credentials (the session cookie) and the CSRF header, never a token', async () => {
    vi.stubGlobal('window', { location: { origin: 'http://localhost:4141' } })
    const fetchMock = stubFetch(() => new Response('{}'))
    const { gatewayFetch } = await freshClient()
    await gatewayFetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' } })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('http://localhost:4141/v1/chat/completions')
    expect(init?.credentials).toBe('same-origin')
    const headers = new Headers(init?.headers)
    expect(headers.get('x-switchyard-csrf')).toBe('1')
    expect(headers.get('content-type')).toBe('application/json')
    expect(headers.has('authorization')).toBe(false)
  })

  it('desktop: the admin token from the preload bridge as a bearer token', async () => {
    vi.stubGlobal('window', { desktop })
    const fetchMock = stubFetch(() => new Response('{}'))
    const { getJson } = await freshClient()
    await getJson('/admin/v1/info')
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('http://127.0.0.1:4141/admin/v1/info')
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer T0KEN')
  })

  it('desktop: a refused call asks main for the token again once (it can change while the app runs)', async () => {
    let token = 'OLD'
    vi.stubGlobal('window', { desktop: { ...desktop, adminToken: async () => token } })
    const fetchMock = vi.fn(async (_url: string, init?: RequestInit) =>
      new Headers(init?.headers).get('authorization') === `Bearer ${token}`
        ? new Response('{}')
        : new Response('{}', { status: 401 }),
    )
    vi.stubGlobal('fetch', fetchMock)
    const { getJson } = await freshClient()
    await getJson('/admin/v1/info')
    token = 'NEW'
    await getJson('/admin/v1/info')
    expect(fetchMock.mock.calls.map(([, init]) => new Headers(init?.headers).get('authorization'))).toEqual([
      'Bearer OLD',
      'Bearer OLD',
      'Bearer NEW',
    ])
  })
})

describe('a refused admin call tells the app its session is over', () => {
  it('only for /admin, and only while subscribed', async () => {
    vi.stubGlobal('window', { location: { origin: 'http://localhost:4141' } })
    stubFetch(() => new Response('{"error":{"message":"no"}}', { status: 401 }))
    const { gatewayFetch, onAdminUnauthorized } = await freshClient()
    const ended = vi.fn()
    const unsubscribe = onAdminUnauthorized(ended)
    await gatewayFetch('/v1/chat/completions', { method: 'POST' })
    expect(ended).not.toHaveBeenCalled()
    await gatewayFetch('/admin/v1/logs')
    expect(ended).toHaveBeenCalledTimes(1)
    unsubscribe()
    await gatewayFetch('/admin/v1/logs')
    expect(ended).toHaveBeenCalledTimes(1)
  })
})

describe('downloads', () => {
  it('desktop: fetched with the token and saved under the gateway’s file name', async () => {
    vi.stubGlobal('window', { desktop })
    const fetchMock = stubFetch(
      () => new Response('a,b\n', { headers: { 'content-disposition': 'attachment; filename="logs-2026.csv"' } }),
    )
    const anchor = { href: '', download: '', click: vi.fn() }
    vi.stubGlobal('document', { createElement: () => anchor })
    const { downloadFile } = await freshClient()
    await downloadFile('/admin/v1/logs/export?format=csv')
    expect(new Headers(fetchMock.mock.calls[0][1]?.headers).get('authorization')).toBe('Bearer T0KEN')
    expect(anchor.href).toMatch(/^blob:/)
    expect(anchor.download).toBe('logs-2026.csv')
    expect(anchor.click).toHaveBeenCalledOnce()
  })

  it('web: the browser fetches the URL itself, with its session cookie', async () => {
    vi.stubGlobal('window', { location: { origin: 'http://localhost:4141' } })
    const fetchMock = stubFetch(() => new Response(''))
    const anchor = { href: '', download: 'x', click: vi.fn() }
    vi.stubGlobal('document', { createElement: () => anchor })
    const { downloadFile } = await freshClient()
    await downloadFile('/admin/v1/backups/b1')
    expect(fetchMock).not.toHaveBeenCalled()
    expect(anchor).toMatchObject({ href: 'http://localhost:4141/admin/v1/backups/b1', download: '' })
    expect(anchor.click).toHaveBeenCalledOnce()
  })

  it('with progress: every chunk is seen as it arrives, then the whole file is saved under its name', async () => {
    vi.stubGlobal('window', { location: { origin: 'http://localhost:4141' } })
    const parts = ['{"id":3}\n{"id":2}\n', '{"id":1}\n']
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p))
        c.close()
      },
    })
    const fetchMock = stubFetch(
      () => new Response(body, { headers: { 'content-disposition': 'attachment; filename="logs.jsonl"' } }),
    )
    const anchor = { href: '', download: '', click: vi.fn() }
    vi.stubGlobal('document', { createElement: () => anchor })
    const { downloadWithProgress } = await freshClient()
    const seen: number[] = []
    await downloadWithProgress('/admin/v1/logs/export?format=jsonl', (chunk) => seen.push(chunk.byteLength))
    expect(fetchMock.mock.calls[0][1]?.credentials).toBe('same-origin')
    expect(seen).toEqual(parts.map((p) => p.length))
    expect(anchor.href).toMatch(/^blob:/)
    expect(anchor.download).toBe('logs.jsonl')
    expect(anchor.click).toHaveBeenCalledOnce()
  })
})
