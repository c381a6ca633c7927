// Canonical stream chunks for decoders that build them from non-OpenAI frames (Gemini, Ollama).

import type { ChatChunk, ChunkDelta, FinishReason, Usage } from '../../core/chat-types.js'

export interface ChunkBuilder {
  delta(delta: ChunkDelta, finish?: FinishReason | null): ChatChunk
  /** The trailing usage-only chunk, shaped like OpenAI's `include_usage` chunk (`choices: []`). */
  usage(usage: Usage): ChatChunk
}

export interface ChunkIdentity {
  id: string
  model: string
  /** Unix seconds from the upstream; without it 0, for the client surface to stamp (providers are clock-free). */
  created?: number
}

/**
 * `ids` is read at each call, so a decoder can adopt the upstream's response id and model once they are
 * known. The first delta carries `role: 'assistant'`, as OpenAI's first chunk does.
 */
export function createChunkBuilder(ids: ChunkIdentity): ChunkBuilder {
  let first = true
  const base = () => ({
    id: ids.id,
    object: 'chat.completion.chunk' as const,
    created: ids.created ?? 0,
    model: ids.model,
  })
  return {
    delta(delta, finish = null) {
      const d: ChunkDelta = first ? { role: 'assistant', ...delta } : delta
      first = false
      return { ...base(), choices: [{ index: 0, delta: d, finish_reason: finish }] }
    },
    usage(usage) {
      return { ...base(), choices: [], usage }
    },
  }
}
