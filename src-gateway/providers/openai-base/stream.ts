// OpenAI-shaped SSE → canonical chunks (protocols.md §1.3). The chunks already are canonical; this mends
// what compatible servers bend: `choices: null` or missing (P15), `reasoning` instead of
// `reasoning_content`, tool-call deltas without `index` (P1), `stop` after tool calls (P11), and errors
// sent as data frames after HTTP 200 (P12).

import type { ChatChunk, ChunkDelta, ToolCallDelta } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { parseJsonOrUndefined } from '../../core/json-values.js'
import type { StreamFrame } from '../../core/sse.js'
import { toFinishReason } from '../shared/finish-reasons.js'
import type { ChatStreamDecoder } from '../types.js'
import { fromOpenAIStreamError } from './errors.js'
import { createFrameShapes } from './frame-shape.js'
import { FINISH_REASONS, toUsage } from './response.js'

type WireChunk = Omit<ChatChunk, 'choices'> & {
  choices?: ChatChunk['choices'] | null
  error?: unknown
}

export function createOpenAIStreamDecoder(model: string): ChatStreamDecoder {
  let done = false
  let finished = false
  /** Tool-call id → index, for servers that leave `index` out (P1). */
  const toolIndexById = new Map<string, number>()
  let lastToolIndex = -1
  const shapes = createFrameShapes()

  const indexOf = (tc: ToolCallDelta): number => {
    if (typeof tc.index === 'number') {
      if (tc.id) toolIndexById.set(tc.id, tc.index)
      lastToolIndex = tc.index
      return tc.index
    }
    if (tc.id) {
      let k = toolIndexById.get(tc.id)
      if (k === undefined) {
        k = toolIndexById.size
        toolIndexById.set(tc.id, k)
      }
      lastToolIndex = k
      return k
    }
    return Math.max(lastToolIndex, 0)
  }

  return {
    push(frame: StreamFrame): ChatChunk[] {
      if (frame.data === '[DONE]') {
        done = true
        return []
      }
      const same = shapes.reuse(frame.data)
      if (same) return [same]
      const c = parseJsonOrUndefined(frame.data) as WireChunk | undefined
      if (c === undefined || c === null || typeof c !== 'object') {
        throw new GatewayError('upstream', `upstream stream sent a frame that is not JSON: ${frame.data.slice(0, 200)}`)
      }
      if (c.error !== undefined && c.error !== null) throw fromOpenAIStreamError(frame.data)
      // The parsed frame becomes the chunk in place (no copy per frame); an `error: null` some servers send
      // is dropped so it never reaches an encoder.
      if ('error' in c) delete c.error
      const out = c as ChatChunk
      out.object = 'chat.completion.chunk'
      out.id ??= ''
      out.created ??= 0
      out.model ??= model
      out.choices = c.choices ?? []
      for (const choice of out.choices) {
        choice.delta ??= {}
        const d = choice.delta as ChunkDelta & { reasoning?: string | null }
        if (d.reasoning != null) {
          d.reasoning_content ??= d.reasoning
          delete d.reasoning
        }
        if (d.tool_calls) {
          for (const tc of d.tool_calls) tc.index = indexOf(tc)
        }
        if (choice.finish_reason) {
          finished = true
          choice.finish_reason = toFinishReason(FINISH_REASONS, choice.finish_reason, lastToolIndex >= 0)
        } else choice.finish_reason = null
      }
      if (out.usage !== undefined) {
        const usage = toUsage(out.usage)
        if (usage) out.usage = usage
        else delete out.usage
      }
      shapes.remember(frame.data, out)
      return [out]
    },
    end(): ChatChunk[] {
      // Servers that never send [DONE] but did finish are complete; neither is a cut stream.
      if (!done && !finished) throw new GatewayError('upstream', 'upstream stream ended early')
      return []
    },
  }
}
