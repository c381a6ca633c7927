import type { ChatChunk, ChunkDelta, ToolCallDelta } from '../core/chat-types.js'
import { createStreamRestorer, type Vault } from '../policies/redaction/index.js'

type Restorer = ReturnType<typeof createStreamRestorer>

/**
 * Puts the originals back into a streamed answer whose request was redacted reversibly: the text and
 * every tool call's argument deltas each get their own restorer, because a placeholder can be split
 * across chunks (down to one character per chunk). Whatever a restorer still holds when the choice
 * finishes is emitted just before the finishing chunk, so nothing is lost or reordered.
 */
export function createChunkRestorer(vault: Vault): { push(c: ChatChunk): ChatChunk[]; end(): ChatChunk[] } {
  const text = createStreamRestorer(vault)
  const args = new Map<number, Restorer>()
  let last: ChatChunk | undefined
  const argsFor = (index: number) => {
    let r = args.get(index)
    if (!r) {
      // Arguments are JSON text: an original with a quote or line break must go in escaped.
      r = createStreamRestorer(vault, { json: true })
      args.set(index, r)
    }
    return r
  }
  const restoreCall = (tc: ToolCallDelta): ToolCallDelta =>
    tc.function?.arguments
      ? { ...tc, function: { ...tc.function, arguments: argsFor(tc.index).push(tc.function.arguments) } }
      : tc

  /** Chunks carrying what the restorers still hold (the stream is finishing). */
  const drained = (like: ChatChunk): ChatChunk[] => {
    const delta: ChunkDelta = {}
    const held = text.flush()
    if (held) delta.content = held
    const calls: ToolCallDelta[] = []
    for (const [index, r] of args) {
      const rest = r.flush()
      if (rest) calls.push({ index, function: { arguments: rest } })
    }
    if (calls.length) delta.tool_calls = calls
    if (!held && !calls.length) return []
    return [{ ...like, usage: undefined, choices: [{ index: 0, delta, finish_reason: null }] }]
  }

  return {
    push(c) {
      const choice = c.choices[0]
      if (!choice) return [c]
      last = c
      let delta = choice.delta
      if (delta.content) delta = { ...delta, content: text.push(delta.content) }
      if (delta.tool_calls) delta = { ...delta, tool_calls: delta.tool_calls.map(restoreCall) }
      if (!choice.finish_reason) return [{ ...c, choices: [{ ...choice, delta }] }]
      // Held fragments go out before the finish: encoders close blocks when they see it.
      return [
        { ...c, usage: undefined, choices: [{ ...choice, delta, finish_reason: null }] },
        ...drained(c),
        { ...c, choices: [{ ...choice, delta: {}, finish_reason: choice.finish_reason }] },
      ]
    },
    end: () => (last ? drained(last) : []),
  }
}
