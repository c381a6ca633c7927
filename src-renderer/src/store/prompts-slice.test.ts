import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { ApiError } from '../api/client'
import { type PromptVersion, promptsApi } from '../api/prompts'
import { queryClient } from '../api/query-client'
import { promptDiffQuery, promptListQuery, promptVersionsQuery } from '../queries/prompts'
import { createPromptsSlice, type PromptsSlice } from './prompts-slice'

vi.mock('../api/prompts', () => ({
  promptsApi: {
    list: vi.fn(),
    versions: vi.fn(),
    labelHistory: vi.fn(),
    stats: vi.fn(),
    diff: vi.fn(),
    save: vi.fn(),
    setLabel: vi.fn(),
    run: vi.fn(),
    feedback: vi.fn(),
  },
}))
const api = vi.mocked(promptsApi)
const version = (name: string, v: number, text = 'Hi'): PromptVersion =>
  ({ name, version: v, content: { messages: [{ role: 'user', content: text }] } }) as PromptVersion
const page = <T>(items: T[]) => ({ items, total: items.length, nextCursor: null })

describe('prompt queries', () => {
  beforeEach(() => vi.resetAllMocks())

  it('each search text, prompt and pair of versions is its own entry', async () => {
    const client = new QueryClient()
    api.list.mockResolvedValueOnce(page([{ name: 'greet' }] as never))
    api.list.mockResolvedValueOnce(page([]))
    expect(await client.fetchQuery(promptListQuery())).toEqual([{ name: 'greet' }])
    expect(await client.fetchQuery(promptListQuery('zzz'))).toEqual([])
    expect(api.list.mock.calls.map((c) => c[0])).toEqual(['', 'zzz'])
    api.versions.mockResolvedValueOnce(page([version('greet', 2), version('greet', 1)]))
    expect((await client.fetchQuery(promptVersionsQuery('greet'))).map((v) => v.version)).toEqual([2, 1])
    api.diff.mockResolvedValueOnce({ changed: ['messages'], lines: [] } as never)
    await client.fetchQuery(promptDiffQuery('greet', 1, 2))
    expect(api.diff).toHaveBeenCalledWith('greet', 1, 2, expect.any(AbortSignal))
  })
})

describe('prompts slice', () => {
  let store: StoreApi<PromptsSlice>
  const s = () => store.getState()
  beforeEach(() => {
    vi.resetAllMocks()
    queryClient.clear()
    store = createStore<PromptsSlice>()(createPromptsSlice)
  })

  it('a chosen prompt opens on the version it is given, never on another prompt’s', () => {
    s().selectPrompt('greet')
    expect(s().draft).toBeNull()
    s().openDraft(version('other', 3))
    expect(s().draft).toBeNull()
    s().openDraft(version('greet', 2))
    expect(s().draft).toMatchObject({ name: 'greet', isNew: false, baseVersion: 2 })
    expect(s().isDraftDirty).toBe(false)
  })

  it('saving opens the saved version and marks the library stale', async () => {
    api.list.mockResolvedValueOnce(page([]))
    await queryClient.fetchQuery(promptListQuery())
    s().newPrompt({ messages: [{ role: 'user', content: 'Hello {{name}}' }] })
    s().editDraft({ name: 'greet' })
    api.save.mockResolvedValueOnce({ version: version('greet', 1, 'Hello {{name}}'), created: true })
    expect(await s().saveDraft('first')).toBe(true)
    expect(api.save).toHaveBeenCalledWith('greet', { messages: [{ role: 'user', content: 'Hello {{name}}' }] }, 'first')
    expect(s()).toMatchObject({ activePrompt: 'greet', isDraftDirty: false, promptNotice: 'Saved as v1' })
    expect(s().draft).toMatchObject({ isNew: false, baseVersion: 1 })
    expect(queryClient.getQueryState(promptListQuery().queryKey)?.isInvalidated).toBe(true)
  })

  it('a refused save keeps the draft and says why', async () => {
    s().newPrompt()
    s().editDraft({ name: 'greet', paramsText: '[1]' })
    expect(await s().saveDraft('')).toBe(false)
    expect(s().promptsError).toBe('Parameters must be a JSON object')
    s().editDraft({ paramsText: '' })
    api.save.mockRejectedValueOnce(new ApiError(400, 'messages: must not be empty'))
    expect(await s().saveDraft('')).toBe(false)
    expect(s().promptsError).toBe('messages: must not be empty (HTTP 400)')
    expect(s().draft?.name).toBe('greet')
  })

  it('rates a run by its request id, and cannot rate one the gateway gave no id', async () => {
    await s().ratePromptRun(null, 'up')
    expect(api.feedback).not.toHaveBeenCalled()
    api.feedback.mockResolvedValueOnce({} as never)
    await s().ratePromptRun('req_9', 'down')
    expect(api.feedback).toHaveBeenCalledWith('req_9', 'down')
    expect(s().promptNotice).toBe('Rated bad')
  })

  it('moving a label says so and marks the prompt’s versions and labels stale', async () => {
    api.versions.mockResolvedValueOnce(page([version('greet', 1)]))
    await queryClient.fetchQuery(promptVersionsQuery('greet'))
    s().selectPrompt('greet')
    api.setLabel.mockResolvedValueOnce({} as never)
    await s().movePromptLabel('prod', 1)
    expect(api.setLabel).toHaveBeenCalledWith('greet', 'prod', { version: 1 })
    expect(s().promptNotice).toBe('prod → v1')
    expect(queryClient.getQueryState(promptVersionsQuery('greet').queryKey)?.isInvalidated).toBe(true)
  })
})
