import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { openaiModels } from '../api/admin'
import { chatModelsOf, modelIdsQuery } from './models'

vi.mock('../api/admin', () => ({ openaiModels: vi.fn() }))
const list = (ids: string[]) => ({ data: ids.map((id) => ({ id, owned_by: 'x' })) })

describe('the model list', () => {
  beforeEach(() => vi.resetAllMocks())

  it('is one fetch for every picker while it is fresh', async () => {
    vi.mocked(openaiModels).mockResolvedValue(list(['a', 'b']))
    const client = new QueryClient()
    // The Playground, Compare, Routes and Connect read it: the first read fetches, the others share it.
    const reads = await Promise.all([1, 2, 3, 4].map(() => client.fetchQuery({ ...modelIdsQuery(), staleTime: 5_000 })))
    expect(reads).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ])
    expect(openaiModels).toHaveBeenCalledOnce()
    expect(vi.mocked(openaiModels).mock.calls[0][0]).toBeInstanceOf(AbortSignal)
  })

  it('offers chat models only to chat pickers: embedding models are listed apart', async () => {
    vi.mocked(openaiModels).mockResolvedValueOnce(
      list(['openai/text-embedding-3-small', 'local/nomic-embed-text:latest', 'local/bge-m3', 'fast', 'openai/gpt-4o']),
    )
    const ids = await new QueryClient().fetchQuery(modelIdsQuery())
    expect(ids).toHaveLength(5)
    expect(chatModelsOf(ids)).toEqual(['fast', 'openai/gpt-4o'])
  })
})
