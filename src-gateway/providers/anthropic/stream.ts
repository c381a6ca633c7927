// Anthropic SSE events → canonical chunks (protocols.md §3.3, §8.7 "Anthropic events to OpenAI chunks").

import type { ChatChunk, ChunkDelta, FinishReason } from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { StreamFrame } from '../../core/sse.js'
import type { ChatStreamDecoder } from '../types.js'
import { fromAnthropicStreamError } from './errors.js'
import { toFinishReason, toUsage } from './response.js'
import type { AnthropicContentBlock, AnthropicResponse, AnthropicUsage } from './wire-types.js'

interface StreamEvent {
  type: string
  message?: AnthropicResponse
  index?: number
  content_block?: AnthropicContentBlock
  delta?: {
    type?: string
    text?: string
    partial_json?: string
    thinking?: string
    signature?: string
    stop_reason?: string | null
    stop_sequence?: string | null
  }
  usage?: AnthropicUsage
}

export function createAnthropicStreamDecoder(model: string): ChatStreamDecoder {
  let id = ''
  let responseModel = model
  /** Anthropic block index → OpenAI tool_calls index (tool blocks only, from 0; pitfall P1). */
  const toolIndex = new Map<number, number>()
  // message_start carries input and cache counts; message_delta's output_tokens is cumulative (pitfall P16).
  const usage: AnthropicUsage = {}
  let finished = false
  let stopped = false

  const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: 0,
    model: responseModel,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })

  const onBlockStart = (index: number, block: AnthropicContentBlock): ChatChunk[] => {
    switch (block.type) {
      case 'text':
        return block.text ? [chunk({ content: block.text })] : []
      case 'thinking':
        return block.thinking ? [chunk({ reasoning_content: block.thinking })] : []
      case 'redacted_thinking':
        return [chunk({ redacted_thinking: block.data })]
      case 'tool_use': {
        const k = toolIndex.size
        toolIndex.set(index, k)
        // Anthropic streams the input as deltas after an empty `{}`; some compatible servers send it whole here.
        const input = block.input && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : ''
        return [
          chunk({
            tool_calls: [
              { index: k, id: block.id, type: 'function', function: { name: block.name, arguments: input } },
            ],
          }),
        ]
      }
      default:
        // server-tool and citation blocks have no canonical form
        return []
    }
  }

  const onDelta = (index: number, d: NonNullable<StreamEvent['delta']>): ChatChunk[] => {
    switch (d.type) {
      case 'text_delta':
        return d.text ? [chunk({ content: d.text })] : []
      case 'input_json_delta': {
        const k = toolIndex.get(index)
        if (k === undefined || !d.partial_json) return []
        return [chunk({ tool_calls: [{ index: k, function: { arguments: d.partial_json } }] })]
      }
      case 'thinking_delta':
        return d.thinking ? [chunk({ reasoning_content: d.thinking })] : []
      case 'signature_delta':
        return d.signature ? [chunk({ reasoning_signature: d.signature })] : []
      default:
        return []
    }
  }

  return {
    push(frame: StreamFrame): ChatChunk[] {
      if (frame.event === 'ping') return []
      if (frame.event === 'error') throw fromAnthropicStreamError(frame.data)
      let ev: StreamEvent
      try {
        ev = JSON.parse(frame.data) as StreamEvent
      } catch {
        throw new GatewayError(
          'upstream',
          `Anthropic stream sent a frame that is not JSON: ${frame.data.slice(0, 200)}`,
        )
      }
      switch (ev.type) {
        case 'message_start': {
          const m = ev.message
          if (m) {
            id = m.id
            if (typeof m.model === 'string') responseModel = m.model
            Object.assign(usage, m.usage)
          }
          return [chunk({ role: 'assistant', content: '' })]
        }
        case 'content_block_start':
          return ev.content_block ? onBlockStart(ev.index ?? 0, ev.content_block) : []
        case 'content_block_delta':
          return ev.delta ? onDelta(ev.index ?? 0, ev.delta) : []
        case 'message_delta': {
          // Newer API versions repeat input and cache counts here; the last value seen wins for each.
          if (ev.usage) Object.assign(usage, ev.usage)
          const reason = ev.delta?.stop_reason
          if (reason === undefined || finished) return []
          finished = true
          const c = chunk({}, toFinishReason(reason, toolIndex.size > 0))
          if (reason === 'stop_sequence' && ev.delta?.stop_sequence != null) c.stop_sequence = ev.delta.stop_sequence
          return [c]
        }
        case 'message_stop': {
          stopped = true
          const c = chunk({})
          c.choices = []
          c.usage = toUsage(usage)
          return [c]
        }
        case 'error':
          // some compatible servers send the error without an `event:` line
          throw fromAnthropicStreamError(frame.data)
        default:
          return []
      }
    },
    end(): ChatChunk[] {
      if (!stopped) throw new GatewayError('upstream', 'upstream stream ended before message_stop')
      return []
    },
  }
}
