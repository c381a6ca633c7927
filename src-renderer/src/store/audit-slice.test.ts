import { describe, expect, it } from 'vitest'
import { EMPTY_AUDIT_FILTERS, toAuditQuery } from './audit-slice'

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
