// Ollama NDJSON stream → canonical chunks (protocols.md §5, §8.7 "Gemini or Ollama to OpenAI"). The
// object with `done: true` ends the stream and carries the counts; a `{"error":…}` line is a failure after
// HTTP 200.

import type { ChatChunk, ChunkDelta } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import { isPlainObject, parseJsonOrUndefined } from '../../core/json-values.js'
import type { StreamFrame } from '../../core/sse.js'
import { type ChunkIdentity, createChunkBuilder } from '../shared/chunk-builder.js'
import { synthesizeCompletionId } from '../shared/synthetic-ids.js'
import type { ChatStreamDecoder } from '../types.js'
import { fromOllamaStreamError } from './errors.js'
import { createdOf, finishReasonOf, toToolCall, toUsage } from './response.js'
import type { OllamaChatResponse } from './wire-types.js'

export function createOllamaStreamDecoder(model: string): ChatStreamDecoder {
  const ids: ChunkIdentity = { id: synthesizeCompletionId(), model }
  const build = createChunkBuilder(ids)
  let toolCalls = 0
  let done = false

  return {
    push(frame: StreamFrame): ChatChunk[] {
      const r = parseJsonOrUndefined(frame.data)
      if (!isPlainObject(r)) {
        throw new GatewayError('upstream', `Ollama stream sent a line that is not JSON: ${frame.data.slice(0, 200)}`)
      }
      if (r.error !== undefined) throw fromOllamaStreamError(r.error)
      if (done) return []
      const line = r as OllamaChatResponse
      ids.created ??= createdOf(line)
      if (line.model) ids.model = line.model

      const out: ChatChunk[] = []
      const m = line.message ?? {}
      const delta: ChunkDelta = {}
      if (m.thinking) delta.reasoning_content = m.thinking
      if (m.content) delta.content = m.content
      // Each call arrives whole in one line: one delta with full arguments and its own index (P1, P14).
      if (m.tool_calls?.length) delta.tool_calls = m.tool_calls.map((tc) => ({ index: toolCalls++, ...toToolCall(tc) }))
      if (Object.keys(delta).length > 0) out.push(build.delta(delta))

      if (line.done) {
        done = true
        out.push(build.delta({}, finishReasonOf(line, toolCalls > 0)), build.usage(toUsage(line)))
      }
      return out
    },
    end(): ChatChunk[] {
      if (!done)
        throw new GatewayError('upstream', 'Ollama stream ended before its done:true line: the answer is truncated')
      return []
    },
  }
}
