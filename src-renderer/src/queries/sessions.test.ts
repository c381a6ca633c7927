import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { sessionsApi } from '../api/sessions'
import { DEFAULT_SESSION_FILTERS } from '../features/sessions/session-filters'
import { projectsQuery, sessionsQuery } from './sessions'

vi.mock('../api/sessions', () => ({ sessionsApi: { list: vi.fn(), projects: vi.fn(), get: vi.fn() } }))
const api = vi.mocked(sessionsApi)

describe('sessions queries', () => {
  let client: QueryClient
  beforeEach(() => {
    vi.resetAllMocks()
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  })

  it('ask for the sessions with every filter, a page per cursor', async () => {
    api.list.mockResolvedValue({ items: [], total: 0, isTotalCapped: false, nextCursor: '42' })
    const filters = { ...DEFAULT_SESSION_FILTERS, project: 'billing', tool: 'codex' }
    await client.fetchInfiniteQuery(sessionsQuery(filters))
    const [filter, page] = api.list.mock.calls[0]
    expect(filter).toMatchObject({ project: 'billing', tool: 'codex', key: undefined })
    expect(page).toEqual({ limit: 50, cursor: null })
  })

  it('ask for the projects without the project filter, so choosing one keeps the others listed', async () => {
    api.projects.mockResolvedValue({ items: [], isCapped: false })
    const one = projectsQuery({ ...DEFAULT_SESSION_FILTERS, project: 'billing', key: 'ci' })
    const other = projectsQuery({ ...DEFAULT_SESSION_FILTERS, project: 'docs', key: 'ci' })
    expect(one.queryKey).toEqual(other.queryKey)
    await client.fetchQuery(one)
    expect(api.projects.mock.calls[0][0]).toMatchObject({ project: undefined, key: 'ci' })
  })
})
