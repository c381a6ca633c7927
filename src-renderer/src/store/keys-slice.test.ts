import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { KeyItem } from '../../../src-shared/admin-api'
import { ApiError } from '../api/client'
import { keysApi } from '../api/keys'
import { queryClient } from '../api/query-client'
import { keysQuery, revokeKey, rotateKey } from '../queries/keys'
import {
  createKeysSlice,
  draftFromKey,
  emptyKeyDraft,
  type KeysSlice,
  keyDraftErrors,
  keyInputFromDraft,
  keyUpdateFromDraft,
} from './keys-slice'

vi.mock('../api/keys', () => ({
  keysApi: { list: vi.fn(), create: vi.fn(), update: vi.fn(), rotate: vi.fn(), revoke: vi.fn() },
}))
const api = vi.mocked(keysApi)

const page = (names: string[]) => ({
  items: names.map((name) => ({ name, key: 'sy-a…wxyz' })),
  total: names.length,
  nextCursor: null,
})

describe('key drafts', () => {
  it('sends only the fields filled in', () => {
    expect(keyInputFromDraft({ ...emptyKeyDraft(), name: ' ci ' })).toEqual({ name: 'ci' })
    expect(
      keyInputFromDraft({
        ...emptyKeyDraft(),
        name: 'team',
        models: 'fast, ollama/*\n',
        rpm: '60',
        tpm: '',
        budgetUsd: '10',
        budgetPeriod: 'week',
        onExceed: 'downgrade',
        downgradeModel: 'ollama/llama3',
        tags: 'eu',
        expiresAt: '2027-01-31',
      }),
    ).toEqual({
      name: 'team',
      models: ['fast', 'ollama/*'],
      limits: { rpm: 60 },
      budget: { usd: 10, period: 'week', onExceed: 'downgrade:ollama/llama3' },
      tags: ['eu'],
      expiresAt: '2027-01-31',
    })
  })

  it('names the problems the gateway would refuse', () => {
    const e = keyDraftErrors(
      { ...emptyKeyDraft(), name: 'a b', rpm: '1.5', budgetUsd: '5', onExceed: 'downgrade', downgradeModel: 'llama3' },
      [],
    )
    expect(Object.keys(e).sort()).toEqual(['downgradeModel', 'name', 'rpm'])
    expect(keyDraftErrors({ ...emptyKeyDraft(), name: 'ci' }, ['ci']).name).toMatch(/exists/)
    expect(keyDraftErrors({ ...emptyKeyDraft(), name: 'ci', tpm: '100' }, [])).toEqual({})
  })
})

describe('editing a key', () => {
  const key = {
    name: 'team',
    key: 'sy-a…wxyz',
    models: ['fast'],
    limits: { rpm: 60, perUserRpm: 5 },
    budget: { usd: 10, period: 'week' as const, onExceed: 'downgrade:ollama/llama3' as const },
    metadata: { owner: 'ana' },
    expiresAt: '2027-01-31T18:00:00Z',
  }

  it('fills the form from the key and sends what it shows, a cleared field as null', () => {
    const d = draftFromKey(key)
    expect(d).toMatchObject({
      models: 'fast',
      rpm: '60',
      tpm: '',
      budgetUsd: '10',
      budgetPeriod: 'week',
      onExceed: 'downgrade',
      downgradeModel: 'ollama/llama3',
      expiresAt: '2027-01-31',
    })
    expect(keyUpdateFromDraft({ ...d, tpm: '5000' }, key)).toEqual({
      name: 'team',
      models: ['fast'],
      limits: { rpm: 60, tpm: 5000, perUserRpm: 5 },
      budget: { usd: 10, period: 'week', onExceed: 'downgrade:ollama/llama3' },
      tags: null,
      // The day was not touched: the exact time stays.
      expiresAt: '2027-01-31T18:00:00Z',
      mcp: null,
    })
    const changed = keyUpdateFromDraft({ ...d, expiresAt: '2027-03-01', budgetUsd: '' }, key)
    expect(changed.expiresAt).toBe('2027-03-01')
    expect(changed.budget).toBeNull()
  })
})

describe('keys slice', () => {
  let store: StoreApi<KeysSlice>
  const s = () => store.getState()
  const listed = () => queryClient.getQueryData(keysQuery().queryKey)?.map((k) => k.name)
  beforeEach(async () => {
    vi.resetAllMocks()
    queryClient.clear()
    store = createStore<KeysSlice>()(createKeysSlice)
    api.list.mockResolvedValue(page(['old']))
    await queryClient.fetchQuery(keysQuery())
  })

  it('creates a key, holds its secret for the one-time dialog, then forgets it; the list is read again', async () => {
    store.getState().newKey()
    store.getState().updateKeyDraft({ name: 'ci', rpm: '10' })
    api.create.mockResolvedValueOnce({ name: 'ci', key: 'sy-secret' })
    api.list.mockResolvedValueOnce(page(['old', 'ci']))
    expect(await store.getState().createKey(['old'])).toBe(true)
    expect(api.create).toHaveBeenCalledWith({ name: 'ci', limits: { rpm: 10 } })
    expect(store.getState().issuedSecret).toEqual({ name: 'ci', secret: 'sy-secret', reason: 'created' })
    expect(store.getState().keyDraft).toBeNull()
    expect(queryClient.getQueryState(keysQuery().queryKey)?.isInvalidated).toBe(true)
    // The secret is the dialog's only: the cached list never holds it.
    expect(
      JSON.stringify(
        queryClient
          .getQueryCache()
          .getAll()
          .map((q) => q.state.data),
      ),
    ).not.toContain('sy-secret')
    store.getState().dismissSecret()
    expect(store.getState().issuedSecret).toBeNull()
  })

  it('does not send an invalid draft, and keeps the draft with a readable error when the gateway refuses', async () => {
    store.getState().newKey()
    store.getState().updateKeyDraft({ name: 'old' })
    expect(await store.getState().createKey(['old'])).toBe(false)
    expect(api.create).not.toHaveBeenCalled()
    store.getState().updateKeyDraft({ name: 'new' })
    api.create.mockRejectedValueOnce(new ApiError(409, "key 'new' already exists"))
    expect(await store.getState().createKey(['old'])).toBe(false)
    expect(store.getState().keyCreateError).toBe("key 'new' already exists (HTTP 409)")
    expect(store.getState().keyDraft?.name).toBe('new')
  })

  it('a rotate answers with the new one-time secret; a revoke leaves the list, a refused one leaves it as it was', async () => {
    api.rotate.mockResolvedValueOnce({ name: 'old', key: 'sy-new' })
    expect((await rotateKey('old')).key).toBe('sy-new')
    expect(queryClient.getQueryState(keysQuery().queryKey)?.isInvalidated).toBe(true)
    s().showSecret({ name: 'old', secret: 'sy-new', reason: 'rotated' })
    expect(s().issuedSecret).toEqual({ name: 'old', secret: 'sy-new', reason: 'rotated' })

    await queryClient.fetchQuery(keysQuery())
    api.revoke.mockRejectedValueOnce(new ApiError(404, "no key 'old' is configured"))
    await expect(revokeKey('old')).rejects.toThrow("no key 'old' is configured")
    expect(listed()).toEqual(['old'])
    api.revoke.mockResolvedValueOnce(null)
    await revokeKey('old')
    expect(listed()).toEqual([])
  })

  it('edits a key through PUT and keeps the dialog open with the error when the gateway refuses', async () => {
    store.getState().editKey({ name: 'old', key: 'sy-a…wxyz', limits: { rpm: 5 } } as KeyItem)
    expect(store.getState().keyEdit?.draft.rpm).toBe('5')
    store.getState().updateKeyEdit({ rpm: 'x' })
    expect(await store.getState().saveKeyEdit()).toBe(false)
    expect(api.update).not.toHaveBeenCalled()

    store.getState().updateKeyEdit({ rpm: '20' })
    api.update.mockRejectedValueOnce(new ApiError(400, 'limits.rpm: must be >= 1'))
    expect(await store.getState().saveKeyEdit()).toBe(false)
    expect(store.getState().keySaveError).toBe('limits.rpm: must be >= 1 (HTTP 400)')
    expect(store.getState().keyEdit).not.toBeNull()

    api.update.mockResolvedValueOnce({ name: 'old', key: 'sy-a…wxyz', limits: { rpm: 20 } })
    expect(await store.getState().saveKeyEdit()).toBe(true)
    expect(api.update).toHaveBeenLastCalledWith({
      name: 'old',
      limits: { rpm: 20 },
      models: null,
      budget: null,
      tags: null,
      expiresAt: null,
      mcp: null,
    })
    expect(store.getState().keyEdit).toBeNull()
    // The gateway's answer is the row: no second read of the list.
    expect(queryClient.getQueryData(keysQuery().queryKey)?.[0].limits).toEqual({ rpm: 20 })
    expect(api.list).toHaveBeenCalledOnce()
  })

  it("a load failure is the query's error", async () => {
    api.list.mockRejectedValueOnce(new ApiError(500, 'boom'))
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    await expect(client.fetchQuery(keysQuery())).rejects.toThrow('boom')
    expect(api.list.mock.calls.at(-1)?.[0]).toBeInstanceOf(AbortSignal)
  })
})

describe("a key's MCP reach in the form", () => {
  it('sends the globs and the confirmation it shows, reads them back, and clears them as null', () => {
    const d = {
      ...emptyKeyDraft(),
      name: 'ci',
      mcpTools: 'everything__echo, github__*',
      mcpResources: 'docs',
      mcpConfirmed: true,
    }
    const input = keyInputFromDraft(d)
    expect(input.mcp).toEqual({ tools: ['everything__echo', 'github__*'], resources: ['docs'], confirmed: true })
    const back = draftFromKey({ ...input, key: 'sy-a…wxyz' } as Parameters<typeof draftFromKey>[0])
    expect(back).toMatchObject({
      mcpTools: 'everything__echo, github__*',
      mcpPrompts: '',
      mcpResources: 'docs',
      mcpConfirmed: true,
    })
    expect(keyInputFromDraft({ ...emptyKeyDraft(), name: 'ci' }).mcp).toBeUndefined()
    const original = { name: 'ci', key: 'sy-a…wxyz', mcp: { tools: ['*'] } } as Parameters<typeof draftFromKey>[0]
    expect(keyUpdateFromDraft({ ...draftFromKey(original), mcpTools: '' }, original).mcp).toBeNull()
  })
})
