import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { PolicyView, RedactionConfig } from '../../../src-shared/admin-api'
import { ApiError } from '../api/client'
import { policiesApi } from '../api/policies'
import { queryClient } from '../api/query-client'
import { policyQuery, redactionTestQuery } from '../queries/policies'
import {
  createRedactionSlice,
  customPatternErrors,
  isRedactionDirty,
  type RedactionSlice,
  redactionConfigOf,
  redactionDraftOf,
} from './redaction-slice'

vi.mock('../api/policies', () => ({ policiesApi: { get: vi.fn(), save: vi.fn(), testRedaction: vi.fn() } }))
const api = vi.mocked(policiesApi)

const ALL = ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key'] as const satisfies RedactionConfig['detect']
const view = (config: PolicyView<'redaction'>['config']): PolicyView<'redaction'> => ({
  section: 'redaction',
  config,
  defaults: { mode: 'off', detect: [...ALL] },
  overrides: [],
})

describe('redaction drafts', () => {
  it('reads a missing section as off with every type, and saves all types on as no detect list', () => {
    const d = redactionDraftOf(view(null))
    expect(d).toEqual({ mode: 'off', detect: [...ALL], custom: [], skipFields: [] })
    expect(redactionConfigOf({ ...d, mode: 'mask' }, [...ALL])).toEqual({ mode: 'mask' })
  })

  it('saves a narrowed list in the gateway order, custom patterns without empty flags, and skipFields as kept', () => {
    const d = redactionDraftOf(view({ mode: 'mask', skipFields: ['notes'] }))
    const config = redactionConfigOf(
      {
        ...d,
        detect: ['ip', 'email'],
        custom: [
          { name: ' ticket ', pattern: 'TCK-\\d+', flags: '' },
          { name: 'code', pattern: 'x\\d', flags: 'i' },
        ],
      },
      [...ALL],
    )
    expect(config).toEqual({
      mode: 'mask',
      detect: ['email', 'ip'],
      custom: [
        { name: 'ticket', pattern: 'TCK-\\d+' },
        { name: 'code', pattern: 'x\\d', flags: 'i' },
      ],
      skipFields: ['notes'],
    })
  })

  it('is dirty only when the section it would save differs', () => {
    const v = view({ mode: 'mask', detect: [...ALL] })
    expect(isRedactionDirty(v, redactionDraftOf(v))).toBe(false)
    // An explicit full list and none at all save the same section.
    expect(isRedactionDirty(v, { ...redactionDraftOf(v), detect: [...ALL].reverse() })).toBe(false)
    expect(isRedactionDirty(v, { ...redactionDraftOf(v), mode: 'reversible' })).toBe(true)
  })

  it('flags patterns the gateway would refuse, keyed like its error param', () => {
    expect(
      customPatternErrors([
        { name: 'ok', pattern: 'TCK-\\d{4}', flags: 'i' },
        { name: 'Bad Name', pattern: '([a-z', flags: '' },
        { name: 'ok', pattern: 'a*', flags: '' },
        { name: '', pattern: 'x', flags: 'g' },
      ]),
    ).toEqual({
      'custom.1.name': 'Lower-case letters, digits and _ only, starting with a letter.',
      'custom.1.pattern': expect.stringMatching(/^Not a valid regular expression/),
      'custom.2.name': '"ok" is used by another pattern.',
      'custom.2.pattern': 'Matches the empty string.',
      'custom.3.name': 'Name the entity type, e.g. ticket_id.',
      'custom.3.flags': 'Only i, m, s and u.',
    })
  })
})

describe('redaction slice', () => {
  let store: StoreApi<RedactionSlice>
  beforeEach(async () => {
    vi.resetAllMocks()
    queryClient.clear()
    store = createStore<RedactionSlice>()(createRedactionSlice)
    api.get.mockResolvedValueOnce(view({ mode: 'mask' }))
    store.getState().syncRedaction(await queryClient.fetchQuery(policyQuery('redaction')))
  })

  it('edits a draft, keeps it across a reload while unsaved, and saves it', async () => {
    const s = () => store.getState()
    s().setEntityDetected('phone', false)
    s().addCustomPattern()
    s().updateCustomPattern(0, { name: 'ticket', pattern: 'TCK-\\d{4}' })
    s().syncRedaction(view({ mode: 'mask' }))
    expect(s().redactionDraft?.custom).toEqual([{ name: 'ticket', pattern: 'TCK-\\d{4}', flags: '' }])

    const saved = {
      mode: 'mask' as const,
      detect: ALL.filter((t) => t !== 'phone'),
      custom: [{ name: 'ticket', pattern: 'TCK-\\d{4}' }],
    }
    api.save.mockResolvedValueOnce(view(saved))
    expect(await s().saveRedaction()).toBe(true)
    expect(api.save).toHaveBeenCalledWith('redaction', saved)
    expect(s()).toMatchObject({ redactionSaved: true, redactionSaving: false, redactionSaveError: null })
    expect(isRedactionDirty(s().redactionBase, s().redactionDraft)).toBe(false)
    // The gateway's answer is the query's data now: no second read.
    expect(queryClient.getQueryData(policyQuery('redaction').queryKey)?.config).toEqual(saved)
    expect(api.get).toHaveBeenCalledOnce()
  })

  it('a clean draft follows a newer answer of the gateway', () => {
    const s = () => store.getState()
    s().syncRedaction(view({ mode: 'reversible' }))
    expect(s().redactionDraft?.mode).toBe('reversible')
  })

  it('puts a refusal from the gateway beside the field it names', async () => {
    const s = () => store.getState()
    s().addCustomPattern()
    s().updateCustomPattern(0, { name: 'x', pattern: 'TCK' })
    // The browser's checks passed; the gateway has the last word.
    api.save.mockRejectedValueOnce(
      new ApiError(400, 'detect.0: must be one of email; custom.0.pattern: too slow (bad)', null, 'custom.0.pattern'),
    )
    expect(await s().saveRedaction()).toBe(false)
    expect(s().redactionFieldErrors).toEqual({ 'custom.0.pattern': 'too slow (bad)' })
    expect(s().redactionSaveError).toMatch(/HTTP 400/)
  })

  it('does not send a draft with a broken pattern, and marks every such field', async () => {
    const s = () => store.getState()
    s().addCustomPattern()
    expect(await s().saveRedaction()).toBe(false)
    expect(api.save).not.toHaveBeenCalled()
    expect(Object.keys(s().redactionFieldErrors)).toEqual(['custom.0.name', 'custom.0.pattern'])
  })

  it("a test is keyed by its text and draft: an older question's late answer is never the newer one's", async () => {
    const client = new QueryClient()
    let answerFirst: (v: unknown) => void = () => {}
    api.testRedaction.mockReturnValueOnce(new Promise((r) => (answerFirst = r)) as never)
    api.testRedaction.mockResolvedValueOnce({ redacted: '[EMAIL]', entities: [{ type: 'email', start: 0, end: 5 }] })
    const first = client.fetchQuery(redactionTestQuery('a@b.c is old', { mode: 'mask' }))
    expect((await client.fetchQuery(redactionTestQuery('a@b.c', { mode: 'mask' }))).redacted).toBe('[EMAIL]')
    answerFirst({ redacted: 'stale', entities: [] })
    await first
    expect(client.getQueryData(redactionTestQuery('a@b.c', { mode: 'mask' }).queryKey)?.redacted).toBe('[EMAIL]')
    expect(api.testRedaction).toHaveBeenLastCalledWith('a@b.c', { mode: 'mask' })
  })
})
