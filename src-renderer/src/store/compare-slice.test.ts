import { describe, expect, it, vi } from 'vitest'
import { createStore } from 'zustand/vanilla'
import { openaiModels } from '../api/admin'
import { type CompareSlice, createCompareSlice } from './compare-slice'

vi.mock('../api/admin', () => ({ openaiModels: vi.fn() }))

describe('compare slice', () => {
  it('suggests chat models only: an embedding model cannot answer a comparison', async () => {
    vi.mocked(openaiModels).mockResolvedValueOnce({
      data: ['fast', 'openai/text-embedding-3-small', 'openai/gpt-4o'].map((id) => ({ id, owned_by: 'x' })),
    })
    const store = createStore<CompareSlice>()(createCompareSlice)
    await store.getState().loadCompareModels()
    expect(store.getState().compareModels).toEqual(['fast', 'openai/gpt-4o'])
  })
})
