import type { StateCreator } from 'zustand'
import type { ChatMessage } from '../api/chat-stream'

export interface PlaygroundParams {
  temperature: number | null
  maxTokens: number | null
  topP: number | null
}

/** What one page hands to another when it navigates there: the Playground's chat, for Prompts or Compare. */
export interface Handoff {
  kind: 'prompt' | 'compare'
  messages: ChatMessage[]
  model: string
  params: PlaygroundParams
}

export interface HandoffSlice {
  handoff: Handoff | null
  setHandoff(h: Handoff): void
  clearHandoff(): void
}

export const createHandoffSlice: StateCreator<HandoffSlice, [], [], HandoffSlice> = (set) => ({
  handoff: null,
  setHandoff: (handoff) => set({ handoff }),
  clearHandoff: () => set({ handoff: null }),
})
