// Canonical chunks → Anthropic SSE events, following protocols.md §8.7 "OpenAI chunks to Anthropic events".
// This runs once per upstream chunk on the busiest path (Anthropic clients served by OpenAI-shaped
// upstreams), so events are string templates around JSON.stringify of the variable parts only.

import type { ChatChunk, ToolCallDelta, Usage } from '../../core/chat-types.js'
import type { GatewayError } from '../../core/errors.js'
import { GATEWAY_THINKING_SIGNATURE } from '../../core/thinking-signature.js'
import type { StreamEncoder } from '../types.js'
import { anthropicErrorEvent, anthropicErrorType } from './errors.js'
import { toAnthropicUsage, toMessageId, toStopReason } from './reply-mapping.js'

const NONE = 0
const TEXT = 1
const THINKING = 2
const TOOL = 3
type BlockKind = typeof NONE | typeof TEXT | typeof THINKING | typeof TOOL

const TEXT_BLOCK = '{"type":"text","text":""}'
const THINKING_BLOCK = '{"type":"thinking","thinking":"","signature":""}'
const MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n'
const GATEWAY_SIGNATURE_DELTA = `{"type":"signature_delta","signature":${JSON.stringify(GATEWAY_THINKING_SIGNATURE)}}`

const blockStart = (index: number, block: string) =>
  `event: content_block_start\ndata: {"type":"content_block_start","index":${index},"content_block":${block}}\n\n`
const blockStop = (index: number) =>
  `event: content_block_stop\ndata: {"type":"content_block_stop","index":${index}}\n\n`
const blockDelta = (index: number, delta: string) =>
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":${delta}}\n\n`

export function createAnthropicStreamEncoder(requestedModel: string): StreamEncoder {
  let messageId = ''
  let started = false
  let open: BlockKind = NONE
  let openIndex = -1
  let nextIndex = 0
  /** Whether the open thinking block got a signature from its upstream (only Anthropic upstreams send one). */
  let signed = false
  /** Per OpenAI tool_calls index: the Anthropic block it streams into and its id. */
  const tools: { block: number; id: string }[] = []
  let stopReason: string | undefined
  let stopSequence: string | null = null
  let usage: Usage | undefined
  let done = false

  const close = (): string => {
    if (open === NONE) return ''
    // Another model's reasoning gets the gateway's marker, so the client keeps the block and the gateway
    // knows it is not Anthropic's when it comes back (core/thinking-signature.ts).
    const out = open === THINKING && !signed ? blockDelta(openIndex, GATEWAY_SIGNATURE_DELTA) : ''
    open = NONE
    return out + blockStop(openIndex)
  }

  const openBlock = (kind: BlockKind, block: string): string => {
    const out = close() + blockStart(nextIndex, block)
    open = kind
    signed = false
    openIndex = nextIndex++
    return out
  }

  const messageStart = (c: ChatChunk): string => {
    messageId = toMessageId(c.id)
    const input = c.usage ? toAnthropicUsage(c.usage).input_tokens : 0
    // The model that answered, as its upstream names it (what every dialect reports).
    const model = JSON.stringify(c.model || requestedModel)
    return `event: message_start\ndata: {"type":"message_start","message":{"id":${JSON.stringify(messageId)},"type":"message","role":"assistant","model":${model},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${input},"output_tokens":0}}}\n\n`
  }

  const finish = (): string => {
    done = true
    return `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${stopReason}","stop_sequence":${JSON.stringify(stopSequence)}},"usage":${JSON.stringify(toAnthropicUsage(usage))}}\n\n${MESSAGE_STOP}`
  }

  /** Key by index; without one (pitfall P1), a new id means a new call, else the latest call continues. */
  const toolSlot = (tc: ToolCallDelta): number => {
    if (typeof tc.index === 'number') return tc.index
    if (tc.id) {
      const known = tools.findIndex((t) => t?.id === tc.id)
      return known === -1 ? tools.length : known
    }
    return Math.max(0, tools.length - 1)
  }

  const toolDeltas = (calls: ToolCallDelta[]): string => {
    let out = ''
    for (const tc of calls) {
      const k = toolSlot(tc)
      let tool = tools[k]
      if (tool === undefined) {
        // content_block_start must precede any delta for the block (pitfall P2), even if the upstream sent
        // arguments before the call's id or name.
        const id = tc.id || `toolu_${messageId.slice(4).replace(/[^a-zA-Z0-9_-]/g, '_')}_${k}`
        out += openBlock(
          TOOL,
          `{"type":"tool_use","id":${JSON.stringify(id)},"name":${JSON.stringify(tc.function?.name ?? '')},"input":{}}`,
        )
        tool = { block: openIndex, id }
        tools[k] = tool
      }
      // OpenAI-shaped upstreams finish one call before starting the next; a late fragment for an earlier
      // call still goes to that call's block, which SDKs accumulate by index.
      const args = tc.function?.arguments
      if (args) out += blockDelta(tool.block, `{"type":"input_json_delta","partial_json":${JSON.stringify(args)}}`)
    }
    return out
  }

  return {
    chunk(c: ChatChunk): string {
      if (done) return ''
      let out = ''
      if (!started) {
        started = true
        out = messageStart(c)
      }
      const choice = stopReason === undefined ? c.choices?.[0] : undefined
      if (choice !== undefined) {
        const d = choice.delta
        if (d) {
          if (d.reasoning_content) {
            if (open !== THINKING) out += openBlock(THINKING, THINKING_BLOCK)
            out += blockDelta(openIndex, `{"type":"thinking_delta","thinking":${JSON.stringify(d.reasoning_content)}}`)
          }
          if (d.reasoning_signature) {
            if (open !== THINKING) out += openBlock(THINKING, THINKING_BLOCK)
            signed = true
            out += blockDelta(
              openIndex,
              `{"type":"signature_delta","signature":${JSON.stringify(d.reasoning_signature)}}`,
            )
          }
          if (d.redacted_thinking) {
            out += openBlock(NONE, `{"type":"redacted_thinking","data":${JSON.stringify(d.redacted_thinking)}}`)
            out += blockStop(openIndex)
          }
          const text = d.content || d.refusal
          if (text) {
            if (open !== TEXT) out += openBlock(TEXT, TEXT_BLOCK)
            out += `event: content_block_delta\ndata: {"type":"content_block_delta","index":${openIndex},"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}\n\n`
          }
          if (d.tool_calls) out += toolDeltas(d.tool_calls)
        }
        if (choice.finish_reason) {
          out += close()
          stopReason = toStopReason(choice.finish_reason, c.stop_sequence, tools.length > 0)
          if (stopReason === 'stop_sequence') stopSequence = c.stop_sequence ?? null
        }
      }
      if (c.usage) {
        usage = c.usage
        // The usage chunk follows the finish chunk (or rides on it); message_delta waits for it (§8.7 step 5).
        if (stopReason !== undefined) out += finish()
      }
      return out
    },

    end(): string {
      if (done) return ''
      if (stopReason !== undefined) return finish()
      // No finish reason: the upstream cut the answer short. Say so rather than fake a clean end (§8.7 step 6).
      done = true
      return anthropicErrorEvent('api_error', 'upstream stream ended without a finish reason')
    },

    error(err: GatewayError): string {
      if (done) return ''
      done = true
      return anthropicErrorEvent(anthropicErrorType(err), err.message)
    },
  }
}
