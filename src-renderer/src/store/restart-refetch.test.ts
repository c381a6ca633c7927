import { describe, expect, it, vi } from 'vitest'
import { refetchAfterRestart } from './restart-refetch'

describe('refetchAfterRestart', () => {
  it('reloads the lists a page has loaded, and leaves the others to load when opened', () => {
    const state = {
      keys: [],
      loadKeys: vi.fn(),
      backups: null,
      loadBackups: vi.fn(),
      settings: null,
      loadSettings: vi.fn(),
      loadPrompts: vi.fn(),
    }
    refetchAfterRestart(state)
    for (const loaded of ['loadKeys', 'loadPrompts'] as const) expect(state[loaded]).toHaveBeenCalledOnce()
    for (const unloaded of ['loadBackups', 'loadSettings'] as const) expect(state[unloaded]).not.toHaveBeenCalled()
  })
})

describe('the app store after a restart', () => {
  it('reloads the keys on screen once the gateway answers with a new start time', async () => {
    vi.resetModules()
    const paths: string[] = []
    let startedAt = '2026-12-03T10:00:00.000Z'
    vi.doMock('../api/client', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../api/client')>()),
      gatewayBaseUrl: async () => 'http://127.0.0.1:4141',
      getJson: async (path: string) => {
        paths.push(path)
        if (path === '/health') return { status: 'ok' }
        if (path === '/admin/v1/info') return { startedAt }
        return { items: [], data: [], total: 0, nextCursor: null }
      },
    }))
    const { useAppStore } = await import('./index')
    useAppStore.setState({ keys: [] })
    await useAppStore.getState().refreshStatus()
    expect(paths.some((p) => p.startsWith('/admin/v1/keys'))).toBe(false)
    startedAt = '2026-12-03T10:05:00.000Z'
    await useAppStore.getState().refreshStatus()
    expect(paths.some((p) => p.startsWith('/admin/v1/keys'))).toBe(true)
    vi.doUnmock('../api/client')
  })
})
