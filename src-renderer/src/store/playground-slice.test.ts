import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { adminApi } from '../api/admin'
import { streamChat } from '../api/chat-stream'
import { ApiError } from '../api/client'
import { createPlaygroundSlice, type PlaygroundSlice, type Turn, toChatMessages } from './playground-slice'

vi.mock('../api/admin', () => ({ adminApi: { logs: vi.fn() } }))
vi.mock('../api/chat-stream', () => ({ streamChat: vi.fn() }))
const stream = vi.mocked(streamChat)
const logs = vi.mocked(adminApi.logs)

const result = {
  requestId: 'req_1',
  provider: 'mock',
  model: 'mock-gpt',
  usage: { promptTokens: 3, completionTokens: 4 },
  ttftMs: 12,
  latencyMs: 40,
  stopped: false,
}

describe('playground slice', () => {
  let store: StoreApi<PlaygroundSlice>
  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<PlaygroundSlice>()(createPlaygroundSlice)
    store.setState({ pgModel: 'mock/mock-gpt' })
  })

  it('commits streamed tokens in batches, not one store update per token', async () => {
    let updates = 0
    store.subscribe(() => updates++)
    stream.mockImplementationOnce(async (_body, { onDelta }) => {
      for (const piece of ['Ec', 'ho', ': ', 'hi']) onDelta(piece)
      await new Promise((r) => setTimeout(r, 30))
      return result
    })
    logs.mockResolvedValue({
      items: [{ requestId: 'req_1', costUsd: 0.0042 } as never],
      total: 1,
      isTotalCapped: false,
      nextCursor: null,
    })
    await store.getState().sendPlayground('hi')
    const reply = store.getState().pgTurns[1]
    expect(reply).toMatchObject({ role: 'assistant', text: 'Echo: hi', state: 'done' })
    expect(reply.metrics).toMatchObject({ inputTokens: 3, outputTokens: 4, costUsd: 0.0042, ttftMs: 12 })
    // Start, one frame for all four tokens, done, streaming off, cost: far fewer than one per token.
    expect(updates).toBeLessThanOrEqual(6)
    expect(stream.mock.calls[0][0]).toEqual({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: undefined,
      max_tokens: undefined,
      top_p: undefined,
    })
  })

  it('stop keeps the partial reply, marked stopped', async () => {
    stream.mockImplementationOnce(async (_body, { onDelta, signal }) => {
      onDelta('partial')
      await new Promise((r) => signal.addEventListener('abort', r))
      return { ...result, stopped: true, usage: null, requestId: null }
    })
    const sending = store.getState().sendPlayground('go')
    expect(store.getState().pgStreaming).toBe(true)
    store.getState().stopPlayground()
    await sending
    expect(store.getState().pgTurns[1]).toMatchObject({ text: 'partial', state: 'stopped' })
    expect(store.getState().pgStreaming).toBe(false)
  })

  it('an upstream error becomes an error reply with the gateway message', async () => {
    stream.mockRejectedValueOnce(new ApiError(404, "model 'x' is not configured"))
    await store.getState().sendPlayground('hello')
    expect(store.getState().pgTurns[1]).toMatchObject({
      state: 'error',
      error: "model 'x' is not configured (HTTP 404)",
    })
  })

  it('sends parameters and an attached image as content parts', async () => {
    stream.mockResolvedValueOnce({ ...result, requestId: null })
    store.getState().setPgParam('temperature', 0.2)
    store.getState().setPgParam('maxTokens', 64)
    store.getState().setPgAttachment('data:image/png;base64,AAAA')
    await store.getState().sendPlayground('what is this?')
    expect(stream.mock.calls[0][0]).toMatchObject({
      temperature: 0.2,
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
    })
    expect(store.getState().pgAttachment).toBeNull()
  })
})

describe('toChatMessages', () => {
  it('puts the system prompt first and leaves out failed turns', () => {
    const t = (p: Partial<Turn>): Turn => ({
      id: 0,
      role: 'user',
      text: '',
      image: null,
      state: 'done',
      error: null,
      metrics: null,
      ...p,
    })
    expect(
      toChatMessages('Be brief.', [
        t({ text: 'a' }),
        t({ role: 'assistant', text: 'b' }),
        t({ text: 'c' }),
        t({ role: 'assistant', state: 'error', error: 'x' }),
      ]),
    ).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ])
  })
})
