import { describe, expect, it } from 'vitest'
import { createStore } from 'zustand/vanilla'
import { createHandoffSlice, type HandoffSlice } from './handoff-slice'

describe('handoff slice', () => {
  it('holds what the Playground hands over until the receiver clears it', () => {
    const store = createStore<HandoffSlice>()(createHandoffSlice)
    const h = {
      kind: 'compare' as const,
      model: 'fast',
      messages: [{ role: 'user' as const, content: 'hi' }],
      params: { temperature: 0.5, maxTokens: null, topP: null },
    }
    store.getState().setHandoff(h)
    expect(store.getState().handoff).toEqual(h)
    store.getState().clearHandoff()
    expect(store.getState().handoff).toBeNull()
  })
})
