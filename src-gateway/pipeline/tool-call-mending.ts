// Tool calls that parse, whatever the model wrote (docs/routing.md, "Tool calls"). Two mendings, both on
// canonical answers:
// - Arguments: each call's arguments are checked once the call is complete, and repaired (core/tool-calls)
//   when they are not one JSON object. In a stream that means holding a call's argument fragments until the
//   message finishes, then sending the call whole: a fragment already sent could not be taken back. Anthropic
//   upstreams are left alone (their tool inputs are objects by construction), and so are pass-through streams:
//   they are relayed byte for byte (a target with a `toolCallFormat` is never passed through).
// - Text tool calls: for a target with a `toolCallFormat` and a request with tools, calls written in the text
//   become tool calls; only such targets pay for looking at the text.
// Each repaired or lifted call counts once in the log row's `toolCallRepairs`.

import type { ChatChunk, ChatRequest, ChunkDelta, FinishReason, ToolCall, ToolCallDelta } from '../core/chat-types.js'
import { isPlainObject } from '../core/json-values.js'
import { repairArguments } from '../core/tool-calls/arguments.js'
import {
  createTextToolCallParser,
  liftTextToolCalls,
  type TextPiece,
  type TextToolCall,
  type ToolCallFormat,
  type ToolSchemas,
} from '../core/tool-calls/text-calls.js'
import { synthesizeToolCallId } from '../providers/shared/synthetic-ids.js'
import type { ChatStreamDecoder } from '../providers/types.js'
import type { Target } from '../routing/resolve.js'

/** One answer's tool-call mending: made per dispatched answer, it counts what it mended. */
export interface ToolCallMending {
  /** Calls repaired or lifted out of the text so far. */
  readonly repairs: number
  /** The decoder's chunks with their tool calls mended. */
  stream(decoder: ChatStreamDecoder): ChatStreamDecoder
  /**
   * Mends an OpenAI-shaped answer in place (a canonical ChatResponse, or an OpenAI pass-through body as the
   * upstream sent it; other shapes are left alone). Returns how many calls it mended.
   */
  response(body: unknown): number
}

interface Lift {
  format: ToolCallFormat
  tools: ToolSchemas
}

/** A call the stream holds until the message finishes: its fragments put together. */
type HeldCall = ToolCallDelta & { function: NonNullable<ToolCallDelta['function']> & { arguments: string } }

function toolCallOf(call: TextToolCall): ToolCall {
  return { id: synthesizeToolCallId(), type: 'function', function: { name: call.name, arguments: call.arguments } }
}

/** A chunk with the identity of `like` and one choice. */
function chunkLike(like: ChatChunk, delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk {
  return {
    id: like.id,
    object: 'chat.completion.chunk',
    created: like.created,
    model: like.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  }
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false
  return true
}

export function toolCallMending(target: Target, req: ChatRequest): ToolCallMending {
  const repair = target.provider.adapter.passthrough !== 'anthropic'
  const format = target.toolCallFormat
  const lift: Lift | undefined =
    format && req.tools?.length && req.tool_choice !== 'none'
      ? { format, tools: new Map(req.tools.map((t) => [t.function.name, t.function.parameters])) }
      : undefined
  let repairs = 0

  /** The arguments mended in place; true when they had to be. */
  const mendArguments = (fn: { arguments?: unknown }): boolean => {
    const fixed = repairArguments(typeof fn.arguments === 'string' ? fn.arguments : '')
    if (fixed === undefined) return false
    fn.arguments = fixed
    repairs++
    return true
  }

  return {
    get repairs() {
      return repairs
    },
    stream(inner) {
      if (!repair && !lift) return inner
      const parser = lift ? createTextToolCallParser(lift.format, lift.tools) : undefined
      const held = repair ? new Map<number, HeldCall>() : undefined
      /** Lifted calls take indexes after every one the upstream used. */
      let nextIndex = 0
      let lifted = false
      let last: ChatChunk | undefined

      const pieces = (like: ChatChunk, from: TextPiece[], out: ChatChunk[]) => {
        for (const p of from) {
          if (p.text !== undefined) {
            out.push(chunkLike(like, { content: p.text }))
            continue
          }
          const { id, type, function: fn } = toolCallOf(p.call)
          out.push(chunkLike(like, { tool_calls: [{ index: nextIndex++, id, type, function: fn }] }))
          repairs++
          lifted = true
        }
      }

      const hold = (tc: ToolCallDelta) => {
        const call = held!.get(tc.index)
        const fn = tc.function
        if (!call) {
          held!.set(tc.index, { ...tc, type: 'function', function: { ...fn, arguments: fn?.arguments ?? '' } })
          return
        }
        call.id ??= tc.id
        if (!fn) return
        call.function.name ??= fn.name
        if (fn.arguments) call.function.arguments += fn.arguments
        if (fn.thought_signature) call.function.thought_signature = fn.thought_signature
      }

      /** Everything held goes out: the text's last calls or words, then the upstream's calls, whole. */
      const flush = (like: ChatChunk, out: ChatChunk[]) => {
        if (parser) pieces(like, parser.end(), out)
        if (!held?.size) return
        for (const index of [...held.keys()].sort((a, b) => a - b)) {
          const call = held.get(index)!
          mendArguments(call.function)
          out.push(chunkLike(like, { tool_calls: [call] }))
        }
        held.clear()
      }

      const step = (c: ChatChunk, out: ChatChunk[]) => {
        last = c
        // The first choice is mended; others (n > 1, rare with tools) go on as they came.
        const choice = c.choices.length === 1 && c.choices[0].index === 0 ? c.choices[0] : undefined
        if (!choice) {
          out.push(c)
          return
        }
        const { content, tool_calls, ...others } = choice.delta
        const rest: ChunkDelta = others
        const takeText = parser !== undefined && typeof content === 'string' && content !== ''
        const takeCalls = held !== undefined && tool_calls !== undefined
        const finishing = choice.finish_reason !== null && (parser !== undefined || takeCalls || held!.size > 0)
        if (!takeText && !takeCalls && !finishing) {
          if (tool_calls) for (const tc of tool_calls) nextIndex = Math.max(nextIndex, tc.index + 1)
          out.push(c)
          return
        }
        if (!takeText && content != null) rest.content = content
        if (tool_calls) {
          for (const tc of tool_calls) nextIndex = Math.max(nextIndex, tc.index + 1)
          if (takeCalls) for (const tc of tool_calls) hold(tc)
          else rest.tool_calls = tool_calls
        }
        const text = takeText ? parser.push(content) : undefined
        if (!finishing) {
          // What is not held (the role, reasoning) keeps its chunk, ahead of the text's pieces.
          if (!isEmpty(rest) || c.usage) out.push({ ...c, choices: [{ ...choice, delta: rest }] })
          if (text) pieces(c, text, out)
          return
        }
        if (!isEmpty(rest)) out.push(chunkLike(c, rest))
        if (text) pieces(c, text, out)
        flush(c, out)
        const finish = lifted && choice.finish_reason === 'stop' ? 'tool_calls' : choice.finish_reason
        out.push({ ...c, choices: [{ ...choice, delta: {}, finish_reason: finish }] })
      }

      const mend = (chunks: ChatChunk[]): ChatChunk[] => {
        const out: ChatChunk[] = []
        for (const c of chunks) step(c, out)
        return out
      }

      return {
        push(frame) {
          const chunks = inner.push(frame)
          // Nothing held and no call or text to look at (the usual chunk): the decoder's own array goes on.
          if (!parser && held!.size === 0) {
            let plain = true
            for (const c of chunks) if (c.choices[0]?.delta.tool_calls) plain = false
            if (plain) return chunks
          }
          return mend(chunks)
        },
        end() {
          const out = mend(inner.end())
          // A stream that ended without a finish still gets what was held.
          if (last) flush(last, out)
          return out
        },
      }
    },
    response(body) {
      if (!isPlainObject(body) || !Array.isArray(body.choices)) return 0
      const before = repairs
      for (const choice of body.choices as { message?: unknown; finish_reason?: unknown }[]) {
        const m = choice?.message
        if (!isPlainObject(m)) continue
        const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as unknown[]) : []
        if (repair)
          for (const call of calls)
            if (isPlainObject(call) && isPlainObject(call.function)) mendArguments(call.function)
        if (!lift || typeof m.content !== 'string' || m.content === '') continue
        const found = liftTextToolCalls(m.content, lift.format, lift.tools)
        if (found.calls.length === 0) continue
        m.content = found.text.trim() === '' ? null : found.text
        m.tool_calls = [...calls, ...found.calls.map(toolCallOf)]
        repairs += found.calls.length
        if (choice.finish_reason === 'stop') choice.finish_reason = 'tool_calls'
      }
      return repairs - before
    },
  }
}
