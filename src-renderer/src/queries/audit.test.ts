import { type InfiniteData, InfiniteQueryObserver, QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AuditEntry, ListPage } from '../../../src-shared/admin-api'
import { auditApi } from '../api/audit'
import { EMPTY_AUDIT_FILTERS } from '../store/audit-slice'
import { auditQuery } from './audit'

vi.mock('../api/audit', () => ({ auditApi: { list: vi.fn() } }))
const api = vi.mocked(auditApi)

const entry = (id: number, action = 'key.create'): AuditEntry => ({
  id,
  createdAt: '2026-01-02T03:04:05.000Z',
  actor: 'local',
  remoteAddress: '127.0.0.1',
  userAgent: null,
  action,
  target: 'ci',
  requestId: null,
  diff: [],
})
/** The entry ids an observer of the Audit tab's query shows, all pages in order. */
const ids = (o: { getCurrentResult(): { data?: InfiniteData<ListPage<AuditEntry>> } }) =>
  (o.getCurrentResult().data?.pages ?? []).flatMap((p) => p.items.map((e) => e.id))

describe('audit query', () => {
  let client: QueryClient
  beforeEach(() => {
    vi.resetAllMocks()
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  })

  it('loads the first page, appends the next, and never shows an older filter over a newer one', async () => {
    api.list.mockResolvedValueOnce({ items: [entry(3), entry(2)], total: 3, nextCursor: '2' })
    const observer = new InfiniteQueryObserver(client, auditQuery(EMPTY_AUDIT_FILTERS))
    const stop = observer.subscribe(() => {})
    await vi.waitFor(() => expect(ids(observer)).toEqual([3, 2]))
    api.list.mockResolvedValueOnce({ items: [entry(1)], total: 3, nextCursor: null })
    await observer.fetchNextPage()
    expect(ids(observer)).toEqual([3, 2, 1])
    expect(api.list).toHaveBeenLastCalledWith(expect.anything(), { limit: 50, cursor: '2' }, expect.anything())
    expect(observer.getCurrentResult().hasNextPage).toBe(false)

    // A filter changed while a reload of the old one is out: the old answer lands under its own filters.
    let answerOld: (v: Awaited<ReturnType<typeof auditApi.list>>) => void = () => {}
    api.list.mockReturnValueOnce(new Promise((r) => (answerOld = r)))
    api.list.mockResolvedValueOnce({ items: [entry(9, 'key.rotate')], total: 1, nextCursor: null })
    const old = observer.refetch()
    observer.setOptions(auditQuery({ ...EMPTY_AUDIT_FILTERS, action: 'key.rotate' }))
    await vi.waitFor(() => expect(ids(observer)).toEqual([9]))
    answerOld({ items: [entry(5)], total: 5, nextCursor: null })
    await old
    expect(ids(observer)).toEqual([9])
    expect(api.list).toHaveBeenLastCalledWith(
      expect.objectContaining({ action: 'key.rotate' }),
      { limit: 50, cursor: null },
      expect.anything(),
    )
    stop()
  })
})
