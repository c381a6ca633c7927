import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore, type StoreApi } from 'zustand/vanilla'
import { adminApi } from '../api/admin'
import { streamChat } from '../api/chat-stream'
import { ApiError } from '../api/client'
import { mcpPlaygroundApi } from '../api/mcp-playground'
import {
  createPlaygroundSlice,
  MAX_TOOL_ROUNDS,
  type PlaygroundSlice,
  type Turn,
  toChatMessages,
} from './playground-slice'

vi.mock('../api/admin', () => ({ adminApi: { logs: vi.fn() } }))
vi.mock('../api/chat-stream', () => ({ streamChat: vi.fn() }))
vi.mock('../api/mcp-playground', () => ({ mcpPlaygroundApi: { tools: vi.fn(), call: vi.fn() } }))
const mcpTools = vi.mocked(mcpPlaygroundApi.tools)
const mcpCall = vi.mocked(mcpPlaygroundApi.call)
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
  toolCalls: [],
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
      toolCalls: [],
      notice: null,
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

describe('playground slice with MCP tools', () => {
  let store: StoreApi<PlaygroundSlice>
  const echoTool = {
    name: 'everything__echo',
    server: 'everything',
    tool: 'echo',
    description: 'Echoes back the input',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
    needsConfirmation: false,
  }
  const sumTool = { ...echoTool, name: 'everything__get-sum', tool: 'get-sum', needsConfirmation: true }
  const callOf = (id: string, name: string, args: string) => ({
    id,
    type: 'function' as const,
    function: { name, arguments: args },
  })
  /** Answers with the scripted tool calls in turn, then with text once the calls run out. */
  const script = (...rounds: ReturnType<typeof callOf>[][]) => {
    let n = 0
    stream.mockImplementation(async (_body, { onDelta }) => {
      const calls = rounds[n++]
      if (calls) return { ...result, requestId: null, toolCalls: calls }
      onDelta('All done.')
      return { ...result, requestId: null, toolCalls: [] }
    })
  }
  /** The tool call waiting for an answer, once the slice asks. */
  const asking = async () => {
    await vi.waitFor(() => {
      const calls = store.getState().pgTurns.flatMap((t) => t.toolCalls)
      if (!calls.some((c) => c.state === 'asking')) throw new Error('nothing asked yet')
    })
  }

  beforeEach(() => {
    vi.resetAllMocks()
    store = createStore<PlaygroundSlice>()(createPlaygroundSlice)
    store.setState({ pgModel: 'mock/mock-gpt' })
    mcpTools.mockResolvedValue({ items: [echoTool, sumTool] })
    mcpCall.mockResolvedValue({ isError: false, text: 'Echo: hi', truncated: false, latencyMs: 3 })
  })

  it('offers the enabled tools as functions, asks before the first call, and sends the result back', async () => {
    store.getState().setPgToolsEnabled(['everything__echo'], true)
    script([callOf('c1', 'everything__echo', '{"message":"hi"}')])
    const sending = store.getState().sendPlayground('say hi')
    await asking()
    expect(mcpCall).not.toHaveBeenCalled()
    store.getState().answerToolCall('once')
    await sending
    expect(mcpCall).toHaveBeenCalledWith(
      { server: 'everything', tool: 'echo', arguments: { message: 'hi' }, confirmed: undefined },
      expect.any(AbortSignal),
    )
    const first = stream.mock.calls[0][0]
    expect(first.tools).toEqual([
      {
        type: 'function',
        function: { name: 'everything__echo', description: 'Echoes back the input', parameters: echoTool.inputSchema },
      },
    ])
    expect(stream.mock.calls[1][0].messages).toEqual([
      { role: 'user', content: 'say hi' },
      { role: 'assistant', content: null, tool_calls: [callOf('c1', 'everything__echo', '{"message":"hi"}')] },
      { role: 'tool', tool_call_id: 'c1', content: 'Echo: hi' },
    ])
    const turns = store.getState().pgTurns
    expect(turns.map((t) => t.role)).toEqual(['user', 'assistant', 'assistant'])
    expect(turns[1].toolCalls[0]).toMatchObject({ state: 'done', result: 'Echo: hi' })
    expect(turns[2]).toMatchObject({ text: 'All done.', state: 'done' })
    expect(store.getState().pgStreaming).toBe(false)
  })

  it('a denied call runs nothing and tells the model the user denied it', async () => {
    store.getState().setPgToolsEnabled(['everything__echo'], true)
    script([callOf('c1', 'everything__echo', '{}')])
    const sending = store.getState().sendPlayground('go')
    await asking()
    store.getState().answerToolCall('deny')
    await sending
    expect(mcpCall).not.toHaveBeenCalled()
    expect(stream.mock.calls[1][0].messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'c1',
      content: 'The user denied this tool call.',
    })
  })

  it('"always allow" skips the question for that tool for the rest of the chat, never for a confirm-marked one', async () => {
    store.getState().setPgToolsEnabled(['everything__echo', 'everything__get-sum'], true)
    script([callOf('c1', 'everything__echo', '{}')], [callOf('c2', 'everything__echo', '{}')])
    const sending = store.getState().sendPlayground('twice')
    await asking()
    store.getState().answerToolCall('always')
    await sending
    expect(mcpCall).toHaveBeenCalledTimes(2)
    expect(store.getState().pgToolsAllowed).toEqual(['everything__echo'])

    script([callOf('c3', 'everything__get-sum', '{"a":1,"b":2}')])
    const again = store.getState().sendPlayground('sum')
    await asking()
    store.getState().answerToolCall('always')
    await again
    expect(mcpCall).toHaveBeenLastCalledWith(
      { server: 'everything', tool: 'get-sum', arguments: { a: 1, b: 2 }, confirmed: true },
      expect.any(AbortSignal),
    )
    expect(store.getState().pgToolsAllowed).toEqual(['everything__echo'])
  })

  it('a call to a tool not enabled, or with arguments that are not JSON, is answered without running', async () => {
    store.getState().setPgToolsEnabled(['everything__echo'], true)
    script([callOf('c1', 'everything__get-sum', '{}'), callOf('c2', 'everything__echo', '{oops')])
    await store.getState().sendPlayground('go')
    expect(mcpCall).not.toHaveBeenCalled()
    expect(stream.mock.calls[1][0].messages.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: "The tool 'everything__get-sum' is not enabled in this chat." },
      { role: 'tool', tool_call_id: 'c2', content: 'The arguments are not valid JSON.' },
    ])
  })

  it(`stops asking the model after ${MAX_TOOL_ROUNDS} rounds of tool calls and says so`, async () => {
    store.getState().setPgToolsEnabled(['everything__echo'], true)
    store.setState({ pgToolsAllowed: ['everything__echo'] })
    stream.mockImplementation(async () => ({
      ...result,
      requestId: null,
      toolCalls: [callOf('c', 'everything__echo', '{}')],
    }))
    await store.getState().sendPlayground('forever')
    expect(stream).toHaveBeenCalledTimes(MAX_TOOL_ROUNDS)
    const last = store.getState().pgTurns.at(-1)
    expect(last?.notice).toMatch(/Stopped after 10 rounds of tool calls/)
    expect(store.getState().pgStreaming).toBe(false)
  })

  it('Stop while a call waits for confirmation runs nothing more and ends the turn', async () => {
    store.getState().setPgToolsEnabled(['everything__echo'], true)
    script([callOf('c1', 'everything__echo', '{}'), callOf('c2', 'everything__echo', '{}')])
    const sending = store.getState().sendPlayground('go')
    await asking()
    store.getState().stopPlayground()
    await sending
    expect(mcpCall).not.toHaveBeenCalled()
    expect(stream).toHaveBeenCalledTimes(1)
    const reply = store.getState().pgTurns[1]
    expect(reply.toolCalls.map((c) => c.state)).toEqual(['denied', 'skipped'])
    expect(reply.notice).toMatch(/Stopped/)
  })

  it('Stop while a tool runs cancels its request and ends the turn at once', async () => {
    store.setState({ pgToolsAllowed: ['everything__echo'] })
    store.getState().setPgToolsEnabled(['everything__echo'], true)
    script([callOf('c1', 'everything__echo', '{}')])
    mcpCall.mockImplementation(
      (_body, signal) =>
        new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    )
    const sending = store.getState().sendPlayground('go')
    await vi.waitFor(() => expect(mcpCall).toHaveBeenCalled())
    store.getState().stopPlayground()
    await sending
    expect(mcpCall.mock.calls[0][1]?.aborted).toBe(true)
    expect(store.getState().pgTurns[1].toolCalls[0]).toMatchObject({ state: 'skipped' })
    expect(stream).toHaveBeenCalledTimes(1)
    expect(store.getState().pgStreaming).toBe(false)
  })
})
