// Streams and whole answers are one thing to the cache: a streamed answer is assembled into a
// ChatResponse to be stored, and a stored answer is replayed as chunks that any dialect's stream
// encoder turns into the caller's own wire format.

import type {
  ChatChunk,
  ChatResponse,
  ChatResponseMessage,
  ChunkDelta,
  FinishReason,
  ThinkingBlock,
  ToolCall,
  ToolCallDelta,
  Usage,
} from '../../core/chat-types.js'

interface ChoiceState {
  content: string
  refusal: string
  reasoning: string
  thinking: ThinkingBlock[]
  /** The thinking block reasoning deltas currently go to; a signature closes it for good. */
  openThinking?: ThinkingBlock
  /** By index. The upstream picks the index, so a sparse array (walked index by index) would let it stall the loop. */
  tools: Map<number, ToolCall>
  /** One past the highest index seen, where a call without an index but with a new id goes. */
  nextTool: number
  finish: FinishReason | null
}

/**
 * The longest answer the cache keeps, in characters of its stored JSON (about that many bytes): far above
 * any real model answer, and small enough that collecting a streamed answer for the cache holds little
 * memory. A longer answer still reaches its caller; it is just not cached.
 */
export const MAX_CACHED_ANSWER_CHARS = 4 * 1024 * 1024

const newChoice = (): ChoiceState => ({
  content: '',
  refusal: '',
  reasoning: '',
  thinking: [],
  tools: new Map(),
  nextTool: 0,
  finish: null,
})

/**
 * Collects a stream's chunks, as they pass, into the answer a non-streamed call would have had, up to
 * `limit` characters of text: past it, what was collected is dropped and nothing more is kept, so an
 * endless or huge stream costs no memory here.
 */
export class ResponseAccumulator {
  private chars = 0
  private overflowed = false
  private id = ''
  private created = 0
  private model = ''
  private fingerprint: string | null | undefined
  private stopSequence: string | null | undefined
  private usage: Usage | undefined
  private readonly choices = new Map<number, ChoiceState>()

  constructor(private readonly limit = MAX_CACHED_ANSWER_CHARS) {}

  push(c: ChatChunk): void {
    if (this.overflowed) return
    if (!this.id) this.id = c.id
    if (!this.created) this.created = c.created
    if (!this.model) this.model = c.model
    if (c.system_fingerprint != null) this.fingerprint ??= c.system_fingerprint
    if (c.stop_sequence != null) this.stopSequence = c.stop_sequence
    if (c.usage) this.usage = c.usage
    for (const choice of c.choices) {
      let state = this.choices.get(choice.index)
      if (!state) {
        state = newChoice()
        this.choices.set(choice.index, state)
      }
      if (choice.delta) {
        this.chars += deltaChars(choice.delta)
        applyDelta(state, choice.delta)
      }
      if (choice.finish_reason) state.finish = choice.finish_reason
    }
    if (this.chars > this.limit) {
      this.overflowed = true
      this.choices.clear()
    }
  }

  /** The assembled answer; undefined when it outgrew the limit. */
  result(): ChatResponse | undefined {
    if (this.overflowed) return undefined
    const indexes = this.choices.size > 0 ? [...this.choices.keys()].sort((a, b) => a - b) : [0]
    const res: ChatResponse = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: indexes.map((index) => {
        const state = this.choices.get(index) ?? newChoice()
        return { index, message: toMessage(state), finish_reason: state.finish }
      }),
    }
    if (this.usage) res.usage = this.usage
    if (this.fingerprint !== undefined) res.system_fingerprint = this.fingerprint
    if (this.stopSequence !== undefined) res.stop_sequence = this.stopSequence
    return res
  }
}

/** The text a delta adds to the answer (a tool's name is counted each time it is repeated: it is short). */
function deltaChars(d: ChunkDelta): number {
  let n =
    (d.content?.length ?? 0) +
    (d.refusal?.length ?? 0) +
    (d.reasoning_content?.length ?? 0) +
    (d.reasoning_signature?.length ?? 0) +
    (d.redacted_thinking?.length ?? 0)
  for (const tc of d.tool_calls ?? []) {
    const f = tc.function
    n +=
      (tc.id?.length ?? 0) + (f?.name?.length ?? 0) + (f?.arguments?.length ?? 0) + (f?.thought_signature?.length ?? 0)
  }
  return n
}

function applyDelta(s: ChoiceState, d: ChunkDelta): void {
  if (d.reasoning_content) {
    s.reasoning += d.reasoning_content
    if (!s.openThinking || s.openThinking.signature !== undefined) s.openThinking = pushBlock(s, { type: 'thinking' })
    s.openThinking.thinking = (s.openThinking.thinking ?? '') + d.reasoning_content
  }
  if (d.reasoning_signature) {
    s.openThinking ??= pushBlock(s, { type: 'thinking', thinking: '' })
    s.openThinking.signature = (s.openThinking.signature ?? '') + d.reasoning_signature
  }
  if (d.redacted_thinking) {
    s.openThinking = undefined
    pushBlock(s, { type: 'redacted_thinking', data: d.redacted_thinking })
  }
  if (d.content) {
    s.openThinking = undefined
    s.content += d.content
  }
  if (d.refusal) s.refusal += d.refusal
  if (d.tool_calls) {
    s.openThinking = undefined
    for (const tc of d.tool_calls) applyToolDelta(s, tc)
  }
}

function pushBlock(s: ChoiceState, block: ThinkingBlock): ThinkingBlock {
  s.thinking.push(block)
  return block
}

function indexOfId(tools: Map<number, ToolCall>, id: string): number | undefined {
  for (const [i, t] of tools) if (t.id === id) return i
  return undefined
}

/** Keyed by index; without one, a new id means a new call and anything else continues the latest. */
function applyToolDelta(s: ChoiceState, tc: ToolCallDelta): void {
  let k = tc.index
  if (typeof k !== 'number') {
    k = tc.id ? (indexOfId(s.tools, tc.id) ?? s.nextTool) : Math.max(0, s.nextTool - 1)
  }
  s.nextTool = Math.max(s.nextTool, k + 1)
  let call = s.tools.get(k)
  if (!call) {
    call = { id: '', type: 'function', function: { name: '', arguments: '' } }
    s.tools.set(k, call)
  }
  if (tc.id) call.id = tc.id
  // Some servers repeat the name on every delta of a call, so it is set, not appended.
  if (tc.function?.name) call.function.name = tc.function.name
  if (tc.function?.arguments) call.function.arguments += tc.function.arguments
  if (tc.function?.thought_signature) {
    call.function.thought_signature = (call.function.thought_signature ?? '') + tc.function.thought_signature
  }
}

function toMessage(s: ChoiceState): ChatResponseMessage {
  const message: ChatResponseMessage = { role: 'assistant', content: s.content === '' ? null : s.content }
  if (s.refusal) message.refusal = s.refusal
  const tools = [...s.tools].sort(([a], [b]) => a - b).map(([, t]) => t)
  if (tools.length > 0) message.tool_calls = tools
  if (s.reasoning) message.reasoning_content = s.reasoning
  // Only Anthropic signs its thinking or redacts it; plain reasoning text (DeepSeek, vLLM) has no blocks.
  if (s.thinking.some((b) => b.signature !== undefined || b.type === 'redacted_thinking')) {
    message.thinking_blocks = s.thinking
  }
  return message
}

/** The whole answer a chunk sequence adds up to, however long. */
export function assembleResponse(chunks: Iterable<ChatChunk>): ChatResponse {
  const acc = new ResponseAccumulator(Number.POSITIVE_INFINITY)
  for (const c of chunks) acc.push(c)
  return acc.result()!
}

/** Long enough to keep replays cheap, short enough that a client still sees the answer arrive in steps. */
const PIECE_CHARS = 64

/** `text` in pieces of about PIECE_CHARS, never splitting a surrogate pair. */
function pieces(text: string): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + PIECE_CHARS, text.length)
    const code = text.charCodeAt(end - 1)
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++
    out.push(text.slice(i, end))
    i = end
  }
  return out
}

/**
 * The chunks an upstream would have streamed for `res`: the role, reasoning, content in pieces, each tool
 * call (id and name first, then its arguments), the finish, then usage on its own, as OpenAI sends it.
 */
export function replayChunks(res: ChatResponse): ChatChunk[] {
  const out: ChatChunk[] = []
  const chunk = (index: number, delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk => {
    const c: ChatChunk = {
      id: res.id,
      object: 'chat.completion.chunk',
      created: res.created,
      model: res.model,
      choices: [{ index, delta, finish_reason: finish }],
    }
    if (res.system_fingerprint !== undefined) c.system_fingerprint = res.system_fingerprint
    out.push(c)
    return c
  }
  for (const { index, message: m, finish_reason } of res.choices) {
    chunk(index, { role: 'assistant', content: '' })
    if (m.thinking_blocks?.length) {
      for (const b of m.thinking_blocks) {
        if (b.type === 'redacted_thinking') {
          chunk(index, { redacted_thinking: b.data ?? '' })
          continue
        }
        for (const p of pieces(b.thinking ?? '')) chunk(index, { reasoning_content: p })
        if (b.signature) chunk(index, { reasoning_signature: b.signature })
      }
    } else if (m.reasoning_content) {
      for (const p of pieces(m.reasoning_content)) chunk(index, { reasoning_content: p })
    }
    if (m.content) for (const p of pieces(m.content)) chunk(index, { content: p })
    if (m.refusal) for (const p of pieces(m.refusal)) chunk(index, { refusal: p })
    for (const [k, tc] of (m.tool_calls ?? []).entries()) {
      const fn: ToolCallDelta['function'] = { name: tc.function.name, arguments: '' }
      if (tc.function.thought_signature) fn.thought_signature = tc.function.thought_signature
      chunk(index, { tool_calls: [{ index: k, id: tc.id, type: 'function', function: fn }] })
      for (const p of pieces(tc.function.arguments))
        chunk(index, { tool_calls: [{ index: k, function: { arguments: p } }] })
    }
    const finish = chunk(index, {}, finish_reason)
    if (res.stop_sequence != null) finish.stop_sequence = res.stop_sequence
  }
  if (res.usage) {
    const last = chunk(0, {})
    last.choices = []
    last.usage = res.usage
  }
  return out
}
