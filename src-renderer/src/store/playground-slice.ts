import type { StateCreator } from 'zustand'
import type { McpPlaygroundTool } from '../../../src-shared/contract/mcp-playground'
import { adminApi } from '../api/admin'
import {
  type ChatContentPart,
  type ChatMessage,
  type ChatRequest,
  type ChatStreamResult,
  type ChatTool,
  type ChatToolCall,
  streamChat,
} from '../api/chat-stream'
import { ApiError, errorMessage } from '../api/client'
import { mcpPlaygroundApi } from '../api/mcp-playground'
import type { PlaygroundParams } from './handoff-slice'

/** Rounds of tool calls one message may lead to before the Playground stops asking the model again. */
export const MAX_TOOL_ROUNDS = 10

/** A name a chat API takes as a function name (OpenAI's rule); tools named otherwise cannot be offered. */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/

/** One tool call the model asked for, as the chat shows it and as it goes back to the model. */
export interface ToolCallView {
  id: string
  /** The namespaced name (`server__tool`). */
  name: string
  /** The JSON text the model wrote. */
  arguments: string
  /**
   * queued: not reached yet; asking: waits for the person's decision; running: the hub runs it; done: answered
   * (the tool may still have flagged an error, see isError); denied: the person said no; failed: it could not
   * run; skipped: the person stopped before it was reached (for failed and skipped, `result` says why).
   */
  state: 'queued' | 'asking' | 'running' | 'done' | 'denied' | 'failed' | 'skipped'
  /** The answer the model gets: the tool's result text, or why there is none. */
  result: string | null
  isError: boolean
  truncated: boolean
  /** The server marks the tool `confirm`: each call is asked about, never allowed for the whole chat. */
  needsConfirmation: boolean
}

export type ToolDecision = 'once' | 'always' | 'deny'

/** The answer for a call Stop ended or never reached. */
const STOPPED_CALL = 'Not run to the end: the user stopped the conversation.'

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
  /** The tools the model called in this reply (assistant turns only). */
  toolCalls: ToolCallView[]
  /** Said under the reply when the Playground stopped the tool loop itself. */
  notice: string | null
}

export interface PlaygroundSlice {
  /** The model chosen to chat with (the list itself is the query `modelIdsQuery`). */
  pgModel: string
  pgSystem: string
  pgParams: PlaygroundParams
  pgAttachment: string | null
  pgTurns: Turn[]
  pgStreaming: boolean
  /** MCP tools (namespaced names) offered to the model in this chat. */
  pgToolsEnabled: string[]
  /** Tools the person allowed for the rest of this chat ("Always allow in this chat"). */
  pgToolsAllowed: string[]
  setPgModel(model: string): void
  setPgSystem(system: string): void
  setPgParam<K extends keyof PlaygroundParams>(key: K, value: PlaygroundParams[K]): void
  setPgAttachment(dataUrl: string | null): void
  setPgToolsEnabled(names: string[], enabled: boolean): void
  /** The person's answer to the tool call waiting for confirmation. */
  answerToolCall(decision: ToolDecision): void
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

/** What the model is told about a call (the tool message's content). */
function toolAnswer(call: ToolCallView): string {
  if (call.state === 'denied') return 'The user denied this tool call.'
  const text = call.result ?? ''
  return call.truncated ? `${text}\n[the result was cut here: it was longer than the Playground passes on]` : text
}

/**
 * The chat as the model API takes it, tool calls included: each reply that called tools is the model's call
 * message, followed by one tool message per call with its answer. (toChatMessages, for Compare and saved
 * prompts, leaves tool calls out.)
 */
export function toRequestMessages(system: string, turns: Turn[]): ChatRequest['messages'] {
  const out: ChatRequest['messages'] = []
  const plain = toChatMessages(system, [])
  out.push(...plain)
  for (const t of turns) {
    if (t.role === 'assistant' && t.toolCalls.length > 0 && t.state === 'done') {
      const calls: ChatToolCall[] = t.toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments },
      }))
      out.push({ role: 'assistant', content: t.text || null, tool_calls: calls })
      for (const c of t.toolCalls) out.push({ role: 'tool', tool_call_id: c.id, content: toolAnswer(c) })
    } else out.push(...toChatMessages('', [t]))
  }
  return out
}

/** An MCP tool as a function tool: its namespaced name, and its input schema as the parameters. */
function asFunctionTool(t: McpPlaygroundTool): ChatTool {
  const description = t.description ?? t.title
  return {
    type: 'function',
    function: { name: t.name, ...(description && { description }), parameters: t.inputSchema },
  }
}

/** The model's arguments as an object for the hub; text that is not a JSON object is refused with the reason. */
function parseArguments(text: string): Record<string, unknown> | string {
  if (!text.trim()) return {}
  try {
    const value: unknown = JSON.parse(text)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
    return 'The arguments are not a JSON object.'
  } catch {
    return 'The arguments are not valid JSON.'
  }
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
  // The tool call waiting for the person's answer resolves through this; Stop and Clear answer it too.
  let decide: ((decision: ToolDecision | 'stopped') => void) | null = null

  const patchTurn = (id: number, patch: Partial<Turn>) =>
    set({ pgTurns: get().pgTurns.map((t) => (t.id === id ? { ...t, ...patch } : t)) })
  const patchCall = (turnId: number, callId: string, patch: Partial<ToolCallView>) =>
    set({
      pgTurns: get().pgTurns.map((t) =>
        t.id === turnId ? { ...t, toolCalls: t.toolCalls.map((c) => (c.id === callId ? { ...c, ...patch } : c)) } : t,
      ),
    })
  const commitPending = (id: number) => {
    frameQueued = false
    if (!pending) return
    const text = pending
    pending = ''
    set({ pgTurns: get().pgTurns.map((t) => (t.id === id ? { ...t, text: t.text + text } : t)) })
  }
  const newReply = (): Turn => ({
    id: ++turnIds,
    role: 'assistant',
    text: '',
    image: null,
    state: 'streaming',
    error: null,
    metrics: null,
    toolCalls: [],
    notice: null,
  })

  /** Streams one model answer into `reply`; null when it failed or was stopped (the turn says which). */
  async function streamRound(reply: Turn, tools: ChatTool[], costs: Promise<void>[]): Promise<ChatStreamResult | null> {
    const { pgModel, pgSystem, pgParams } = get()
    controller = new AbortController()
    pending = ''
    const history = get().pgTurns.filter((t) => t.id !== reply.id)
    let result: ChatStreamResult
    try {
      result = await streamChat(
        {
          model: pgModel,
          messages: toRequestMessages(pgSystem, history),
          ...(tools.length > 0 && { tools }),
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
      return null
    }
    commitPending(reply.id)
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
    const requestId = result.requestId
    if (requestId) {
      // The cost arrives with the log row; the conversation goes on meanwhile.
      costs.push(
        costFromLog(requestId)
          .then((costUsd) => patchTurn(reply.id, { metrics: { ...metrics, costUsd } }))
          .catch(() => {
            // Cost stays unknown (—); the reply itself succeeded.
          }),
      )
    }
    return result.stopped ? null : result
  }

  /** Asks (unless allowed already), runs through the hub, and records the answer the model will get. */
  async function runToolCall(turnId: number, call: ToolCallView, tool: McpPlaygroundTool | undefined) {
    if (!tool) {
      const result = `The tool '${call.name}' is not enabled in this chat.`
      return patchCall(turnId, call.id, { state: 'failed', result })
    }
    const args = parseArguments(call.arguments)
    if (typeof args === 'string') return patchCall(turnId, call.id, { state: 'failed', result: args })
    let decision: ToolDecision | 'stopped' = 'once'
    if (tool.needsConfirmation || !get().pgToolsAllowed.includes(call.name)) {
      patchCall(turnId, call.id, { state: 'asking' })
      decision = await new Promise<ToolDecision | 'stopped'>((resolve) => {
        decide = resolve
      })
      decide = null
    }
    if (decision === 'stopped') return patchCall(turnId, call.id, { state: 'denied' })
    if (decision === 'deny') return patchCall(turnId, call.id, { state: 'denied' })
    if (decision === 'always' && !tool.needsConfirmation) {
      set({ pgToolsAllowed: [...new Set([...get().pgToolsAllowed, call.name])] })
    }
    patchCall(turnId, call.id, { state: 'running' })
    const signal = controller?.signal
    try {
      const answer = await mcpPlaygroundApi.call(
        {
          server: tool.server,
          tool: tool.tool,
          arguments: args,
          confirmed: tool.needsConfirmation ? true : undefined,
        },
        signal,
      )
      patchCall(turnId, call.id, {
        state: 'done',
        result: answer.text,
        isError: answer.isError,
        truncated: answer.truncated,
      })
    } catch (err) {
      // Stop cancels a running call (the gateway cancels it at the tool server) rather than waiting for it.
      if (signal?.aborted) return patchCall(turnId, call.id, { state: 'skipped', result: STOPPED_CALL })
      patchCall(turnId, call.id, { state: 'failed', result: `The tool call failed: ${errorMessage(err)}` })
    }
  }

  return {
    pgModel: '',
    pgSystem: '',
    pgParams: { temperature: null, maxTokens: null, topP: null },
    pgAttachment: null,
    pgTurns: [],
    pgStreaming: false,
    pgToolsEnabled: [],
    pgToolsAllowed: [],
    setPgModel: (pgModel) => set({ pgModel }),
    setPgSystem: (pgSystem) => set({ pgSystem }),
    setPgParam: (key, value) => set({ pgParams: { ...get().pgParams, [key]: value } }),
    setPgAttachment: (pgAttachment) => set({ pgAttachment }),
    setPgToolsEnabled(names, enabled) {
      const now = new Set(get().pgToolsEnabled)
      for (const n of names) enabled ? now.add(n) : now.delete(n)
      set({ pgToolsEnabled: [...now].sort() })
    },
    answerToolCall(decision) {
      decide?.(decision)
    },
    async sendPlayground(text) {
      const { pgModel, pgAttachment, pgTurns, pgStreaming, pgToolsEnabled } = get()
      if (pgStreaming || !pgModel || (!text.trim() && !pgAttachment)) return
      const user: Turn = {
        id: ++turnIds,
        role: 'user',
        text,
        image: pgAttachment,
        state: 'done',
        error: null,
        metrics: null,
        toolCalls: [],
        notice: null,
      }
      let reply = newReply()
      set({ pgTurns: [...pgTurns, user, reply], pgStreaming: true, pgAttachment: null })
      const costs: Promise<void>[] = []
      /** Model answers and tool calls in turn, until the model answers without calling a tool. */
      const converse = async () => {
        // The enabled tools as the hub lists them now (a server may have stopped since the list was shown).
        let available: McpPlaygroundTool[] = []
        if (pgToolsEnabled.length > 0) {
          try {
            available = (await mcpPlaygroundApi.tools()).items.filter(
              (t) => pgToolsEnabled.includes(t.name) && FUNCTION_NAME.test(t.name),
            )
          } catch (err) {
            patchTurn(reply.id, { state: 'error', error: `Could not list the MCP tools: ${errorMessage(err)}` })
            return
          }
        }
        const byName = new Map(available.map((t) => [t.name, t]))
        const tools = available.map(asFunctionTool)
        for (let round = 1; ; round++) {
          const result = await streamRound(reply, tools, costs)
          if (!result || result.toolCalls.length === 0) return
          const calls: ToolCallView[] = result.toolCalls.map((c) => ({
            id: c.id,
            name: c.function.name,
            arguments: c.function.arguments,
            state: 'queued',
            result: null,
            isError: false,
            truncated: false,
            needsConfirmation: byName.get(c.function.name)?.needsConfirmation ?? false,
          }))
          patchTurn(reply.id, { toolCalls: calls })
          for (const call of calls) {
            await runToolCall(reply.id, call, byName.get(call.name))
            if (controller?.signal.aborted) {
              for (const c of calls.slice(calls.indexOf(call) + 1)) {
                patchCall(reply.id, c.id, { state: 'skipped', result: STOPPED_CALL })
              }
              patchTurn(reply.id, { notice: 'Stopped: the model was not asked again.' })
              return
            }
          }
          if (round === MAX_TOOL_ROUNDS) {
            patchTurn(reply.id, {
              notice: `Stopped after ${MAX_TOOL_ROUNDS} rounds of tool calls: the model was not asked again. Send a message to go on.`,
            })
            return
          }
          reply = newReply()
          set({ pgTurns: [...get().pgTurns, reply] })
        }
      }
      try {
        await converse()
      } finally {
        controller = null
        set({ pgStreaming: false })
      }
      await Promise.all(costs)
    },
    stopPlayground() {
      controller?.abort()
      decide?.('stopped')
    },
    clearPlayground() {
      controller?.abort()
      decide?.('stopped')
      set({ pgTurns: [], pgAttachment: null, pgToolsAllowed: [] })
    },
  }
}
