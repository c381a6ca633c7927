import { afterEach, describe, expect, it, vi } from 'vitest'

// The switcher's choice (team mode): sent by gatewayFetch on every call, remembered for the person who made it.
function memoryStorage(): Storage {
  const data = new Map<string, string>()
  return {
    get length() {
      return data.size
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  }
}

async function fresh(storage: Storage) {
  vi.resetModules()
  vi.stubGlobal('window', { location: { origin: 'http://localhost:4141' }, localStorage: storage })
  const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response('{}'))
  vi.stubGlobal('fetch', fetchMock)
  const choice = await import('./workspace-choice')
  const { gatewayFetch } = await import('./client')
  const sent = async () => {
    await gatewayFetch('/admin/v1/info')
    return new Headers(fetchMock.mock.calls.at(-1)?.[1]?.headers).get('x-switchyard-workspace')
  }
  return { ...choice, sent }
}

afterEach(() => vi.unstubAllGlobals())

describe('the chosen workspace', () => {
  it('is sent on every call once chosen, and on none before', async () => {
    const { chooseWorkspace, sent } = await fresh(memoryStorage())
    expect(await sent()).toBeNull()
    chooseWorkspace('person:1', 'alpha')
    expect(await sent()).toBe('alpha')
    chooseWorkspace('person:1', null)
    expect(await sent()).toBeNull()
  })

  it('comes back for the same person after a reload, not for another, and not after sign-out', async () => {
    const storage = memoryStorage()
    ;(await fresh(storage)).chooseWorkspace('person:1', 'alpha')
    const reloaded = await fresh(storage)
    expect(reloaded.restoreWorkspace('person:1')).toBe('alpha')
    expect(await reloaded.sent()).toBe('alpha')
    // Someone else signs in at this browser: the choice was not theirs, and it is dropped.
    expect(reloaded.restoreWorkspace('person:2')).toBeNull()
    expect(await reloaded.sent()).toBeNull()
    expect(reloaded.restoreWorkspace('person:1')).toBeNull()

    reloaded.chooseWorkspace('person:1', 'beta')
    reloaded.forgetWorkspace()
    expect(await reloaded.sent()).toBeNull()
    expect(storage.length).toBe(0)
  })

  it('ignores a stored value that is not one it wrote', async () => {
    const storage = memoryStorage()
    storage.setItem('switchyard.workspace', '{not json')
    expect((await fresh(storage)).restoreWorkspace('person:1')).toBeNull()
    storage.setItem('switchyard.workspace', JSON.stringify({ owner: 'person:1', id: 'x'.repeat(65) }))
    expect((await fresh(storage)).restoreWorkspace('person:1')).toBeNull()
    expect(storage.length).toBe(0)
  })
})

describe('a workspace the gateway no longer knows', () => {
  it('is reported once a call is refused for the header, and not for a refused field', async () => {
    vi.resetModules()
    vi.stubGlobal('window', { location: { origin: 'http://localhost:4141' }, localStorage: memoryStorage() })
    const refusal = (param: string) =>
      new Response(JSON.stringify({ error: { code: 'invalid_workspace', param, message: 'no workspace' } }), {
        status: 400,
      })
    let answer = refusal('x-switchyard-workspace')
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => answer),
    )
    const { chooseWorkspace } = await import('./workspace-choice')
    const { gatewayFetch, onWorkspaceRefused } = await import('./client')
    const refused: string[] = []
    onWorkspaceRefused((ws) => refused.push(ws))
    chooseWorkspace('person:1', 'gone')
    const res = await gatewayFetch('/v1/chat/completions', { method: 'POST' })
    // The caller still reads the answer itself.
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_workspace')
    expect(refused).toEqual(['gone'])
    answer = refusal('workspace')
    await gatewayFetch('/admin/v1/prompts', { method: 'POST' })
    expect(refused).toEqual(['gone'])
  })
})
