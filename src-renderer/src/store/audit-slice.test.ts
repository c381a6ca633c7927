import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { AuditEntry } from '../../../src-shared/admin-api'
import { auditApi } from '../api/audit'
import { type AuditSlice, createAuditSlice, EMPTY_AUDIT_FILTERS, toAuditQuery } from './audit-slice'

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

describe('audit filters', () => {
  it('sends only what is set, with the `to` day included', () => {
    expect(toAuditQuery(EMPTY_AUDIT_FILTERS)).toEqual({
      action: undefined,
      actor: undefined,
      q: undefined,
      since: undefined,
      until: undefined,
    })
    const q = toAuditQuery({ action: 'key', actor: 'local', q: ' ci ', from: '2026-01-02', to: '2026-01-02' })
    expect(q).toMatchObject({ action: 'key', actor: 'local', q: 'ci' })
    expect(Date.parse(q.until!) - Date.parse(q.since!)).toBe(86_400_000)
    expect(new Date(q.since!).getDate()).toBe(2)
    expect(toAuditQuery({ ...EMPTY_AUDIT_FILTERS, from: 'yesterday' }).since).toBeUndefined()
  })
})

describe('audit slice', () => {
  let store: StoreApi<AuditSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<AuditSlice>()(createAuditSlice)
  })

  it('loads the first page, appends the next, and drops answers to an older filter', async () => {
    api.list.mockResolvedValueOnce({ items: [entry(3), entry(2)], total: 3, nextCursor: '2' })
    await store.getState().loadAudit()
    api.list.mockResolvedValueOnce({ items: [entry(1)], total: 3, nextCursor: null })
    await store.getState().loadMoreAudit()
    expect(store.getState().auditItems.map((e) => e.id)).toEqual([3, 2, 1])
    expect(api.list).toHaveBeenLastCalledWith(expect.anything(), { limit: 50, cursor: '2' })
    expect(store.getState().auditCursor).toBeNull()

    let answerOld: (v: Awaited<ReturnType<typeof auditApi.list>>) => void = () => {}
    api.list.mockReturnValueOnce(new Promise((r) => (answerOld = r)))
    api.list.mockResolvedValueOnce({ items: [entry(9, 'key.rotate')], total: 1, nextCursor: null })
    const old = store.getState().loadAudit()
    store.getState().setAuditFilters({ action: 'key.rotate' })
    await vi.waitFor(() => expect(store.getState().auditTotal).toBe(1))
    answerOld({ items: [entry(5)], total: 5, nextCursor: null })
    await old
    expect(store.getState().auditItems.map((e) => e.id)).toEqual([9])
    expect(api.list).toHaveBeenLastCalledWith(expect.objectContaining({ action: 'key.rotate' }), {
      limit: 50,
      cursor: null,
    })
  })
})
