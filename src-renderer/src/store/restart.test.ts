import { QueryObserver } from '@tanstack/react-query'
import { describe, expect, it, vi } from 'vitest'

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
    await import('./index')
    const { queryClient } = await import('../api/query-client')
    const { keysQuery } = await import('../queries/keys')
    const { statusQuery } = await import('../queries/status')
    // One poll of the sidebar's pill.
    const poll = () => queryClient.fetchQuery({ ...statusQuery(), staleTime: 0 })
    const keyReads = () => paths.filter((p) => p.startsWith('/admin/v1/keys')).length
    // The Keys page on screen: an observer of the keys query.
    const onScreen = new QueryObserver(queryClient, keysQuery()).subscribe(() => {})
    await vi.waitFor(() => expect(keyReads()).toBe(1))
    await poll()
    await poll()
    expect(keyReads()).toBe(1)
    startedAt = '2026-12-03T10:05:00.000Z'
    await poll()
    await vi.waitFor(() => expect(keyReads()).toBe(2))
    onScreen()
    vi.doUnmock('../api/client')
  })
})
