// Gemini `streamGenerateContent?alt=sse` → canonical chunks (protocols.md §4, §8.7 "Gemini or Ollama to
// OpenAI"). Each event is a whole GenerateContentResponse. There is no end marker: the stream ends when
// the connection closes, so a stream that never reported a finishReason is a cut one.

import type { ChatChunk, ChunkDelta } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import type { StreamFrame } from '../../core/sse.js'
import { createChunkBuilder } from '../shared/chunk-builder.js'
import { synthesizeCompletionId } from '../shared/synthetic-ids.js'
import type { ChatStreamDecoder } from '../types.js'
import { fromGeminiStreamError } from './errors.js'
import { finishReasonOf, readParts, toUsage } from './response.js'
import type { GeminiResponse, GeminiUsageMetadata } from './wire-types.js'

export function createGeminiStreamDecoder(model: string): ChatStreamDecoder {
  const ids = { id: '', model }
  const build = createChunkBuilder(ids)
  let toolCalls = 0
  // Some chunks carry partial usage; the last one seen is the final count.
  let usage: GeminiUsageMetadata | undefined
  let finished = false

  return {
    push(frame: StreamFrame): ChatChunk[] {
      const r = parseJsonOrUndefined(frame.data)
      if (!isPlainObject(r)) {
        throw new GatewayError('upstream', `Gemini stream sent a frame that is not JSON: ${frame.data.slice(0, 200)}`)
      }
      if (r.error !== undefined) throw fromGeminiStreamError(frame.data)
      const res = r as GeminiResponse
      if (ids.id === '') ids.id = res.responseId || synthesizeCompletionId()
      if (res.modelVersion) ids.model = res.modelVersion
      if (res.usageMetadata) usage = res.usageMetadata
      if (finished) return []

      const out: ChatChunk[] = []
      const { text, reasoning, toolCalls: calls } = readParts(res.candidates?.[0]?.content?.parts)
      const delta: ChunkDelta = {}
      if (reasoning !== '') delta.reasoning_content = reasoning
      if (text !== '') delta.content = text
      // Calls arrive whole, so each becomes one delta with its full arguments and its own index (P1, P2).
      if (calls.length > 0) delta.tool_calls = calls.map((c) => ({ index: toolCalls++, ...c }))
      if (Object.keys(delta).length > 0) out.push(build.delta(delta))

      const finish = finishReasonOf(res, toolCalls > 0)
      if (finish) {
        finished = true
        out.push(build.delta({}, finish))
      }
      return out
    },
    end(): ChatChunk[] {
      if (!finished)
        throw new GatewayError('upstream', 'Gemini stream ended before a finishReason: the answer is truncated')
      return usage ? [build.usage(toUsage(usage))] : []
    },
  }
}
