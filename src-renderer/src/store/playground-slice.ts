import type { StateCreator } from 'zustand'
import { adminApi } from '../api/admin'
import { type ChatContentPart, type ChatMessage, type ChatStreamResult, streamChat } from '../api/chat-stream'
import { ApiError, errorMessage } from '../api/client'
import type { PlaygroundParams } from './handoff-slice'

export interface ReplyMetrics {
  inputTokens: number | null
  outputTokens: number | null
  costUsd: number | null
  latencyMs: number
  ttftMs: number | null
  requestId: string | null
  provider: string | null
  model: string | null
}

export interface Turn {
  id: number
  role: 'user' | 'assistant'
  text: string
  /** A data URL attached to a user turn. */
  image: string | null
  state: 'streaming' | 'done' | 'stopped' | 'error'
  error: string | null
  metrics: ReplyMetrics | null
}

export interface PlaygroundSlice {
  /** The model chosen to chat with (the list itself is the query `modelIdsQuery`). */
  pgModel: string
  pgSystem: string
  pgParams: PlaygroundParams
  pgAttachment: string | null
  pgTurns: Turn[]
  pgStreaming: boolean
  setPgModel(model: string): void
  setPgSystem(system: string): void
  setPgParam<K extends keyof PlaygroundParams>(key: K, value: PlaygroundParams[K]): void
  setPgAttachment(dataUrl: string | null): void
  sendPlayground(text: string): Promise<void>
  stopPlayground(): void
  clearPlayground(): void
}

/** The chat as the API takes it: the system prompt first, then each finished turn. */
export function toChatMessages(system: string, turns: Turn[]): ChatMessage[] {
  const messages: ChatMessage[] = system.trim() ? [{ role: 'system', content: system }] : []
  for (const t of turns) {
    if (t.state === 'error' || (t.role === 'assistant' && !t.text)) continue
    if (t.role === 'user' && t.image) {
      const parts: ChatContentPart[] = [{ type: 'image_url', image_url: { url: t.image } }]
      if (t.text) parts.unshift({ type: 'text', text: t.text })
      messages.push({ role: 'user', content: parts })
    } else messages.push({ role: t.role, content: t.text })
  }
  return messages
}

const LOG_ROW_ATTEMPTS = 8
const LOG_ROW_WAIT_MS = 250

/** The gateway writes log rows in batches, so the row with the reply's cost appears shortly after it ends. */
async function costFromLog(requestId: string): Promise<number | null> {
  for (let i = 0; i < LOG_ROW_ATTEMPTS; i++) {
    const page = await adminApi.logs({ q: requestId }, { limit: 1 })
    const row = page.items.find((r) => r.requestId === requestId)
    if (row) return row.costUsd
    await new Promise((r) => setTimeout(r, LOG_ROW_WAIT_MS))
  }
  return null
}

const nextFrame: (cb: () => void) => void =
  typeof requestAnimationFrame === 'function' ? (cb) => requestAnimationFrame(cb) : (cb) => setTimeout(cb, 16)

export const createPlaygroundSlice: StateCreator<PlaygroundSlice, [], [], PlaygroundSlice> = (set, get) => {
  let controller: AbortController | null = null
  let turnIds = 0
  // Tokens gather here and reach the store once per animation frame, not once per token.
  let pending = ''
  let frameQueued = false

  const patchTurn = (id: number, patch: Partial<Turn>) =>
    set({ pgTurns: get().pgTurns.map((t) => (t.id === id ? { ...t, ...patch } : t)) })
  const commitPending = (id: number) => {
    frameQueued = false
    if (!pending) return
    const text = pending
    pending = ''
    set({ pgTurns: get().pgTurns.map((t) => (t.id === id ? { ...t, text: t.text + text } : t)) })
  }

  return {
    pgModel: '',
    pgSystem: '',
    pgParams: { temperature: null, maxTokens: null, topP: null },
    pgAttachment: null,
    pgTurns: [],
    pgStreaming: false,
    setPgModel: (pgModel) => set({ pgModel }),
    setPgSystem: (pgSystem) => set({ pgSystem }),
    setPgParam: (key, value) => set({ pgParams: { ...get().pgParams, [key]: value } }),
    setPgAttachment: (pgAttachment) => set({ pgAttachment }),
    async sendPlayground(text) {
      const { pgModel, pgSystem, pgParams, pgAttachment, pgTurns, pgStreaming } = get()
      if (pgStreaming || !pgModel || (!text.trim() && !pgAttachment)) return
      const user: Turn = {
        id: ++turnIds,
        role: 'user',
        text,
        image: pgAttachment,
        state: 'done',
        error: null,
        metrics: null,
      }
      const reply: Turn = {
        id: ++turnIds,
        role: 'assistant',
        text: '',
        image: null,
        state: 'streaming',
        error: null,
        metrics: null,
      }
      set({ pgTurns: [...pgTurns, user, reply], pgStreaming: true, pgAttachment: null })
      controller = new AbortController()
      pending = ''
      let result: ChatStreamResult
      try {
        result = await streamChat(
          {
            model: pgModel,
            messages: toChatMessages(pgSystem, [...pgTurns, user]),
            temperature: pgParams.temperature ?? undefined,
            max_tokens: pgParams.maxTokens ?? undefined,
            top_p: pgParams.topP ?? undefined,
          },
          {
            signal: controller.signal,
            onDelta(delta) {
              pending += delta
              if (!frameQueued) {
                frameQueued = true
                nextFrame(() => commitPending(reply.id))
              }
            },
          },
        )
      } catch (err) {
        commitPending(reply.id)
        const aborted = controller?.signal.aborted && !(err instanceof ApiError)
        patchTurn(reply.id, aborted ? { state: 'stopped' } : { state: 'error', error: errorMessage(err) })
        set({ pgStreaming: false })
        controller = null
        return
      }
      commitPending(reply.id)
      controller = null
      const metrics: ReplyMetrics = {
        inputTokens: result.usage?.promptTokens ?? null,
        outputTokens: result.usage?.completionTokens ?? null,
        costUsd: null,
        latencyMs: result.latencyMs,
        ttftMs: result.ttftMs,
        requestId: result.requestId,
        provider: result.provider,
        model: result.model,
      }
      patchTurn(reply.id, { state: result.stopped ? 'stopped' : 'done', metrics })
      set({ pgStreaming: false })
      if (!result.requestId) return
      try {
        const costUsd = await costFromLog(result.requestId)
        patchTurn(reply.id, { metrics: { ...metrics, costUsd } })
      } catch {
        // Cost stays unknown (—); the reply itself succeeded.
      }
    },
    stopPlayground() {
      controller?.abort()
    },
    clearPlayground() {
      controller?.abort()
      set({ pgTurns: [], pgAttachment: null })
    },
  }
}
