// Canonical chunks → Responses API SSE events (protocols.md §2). Every event carries a sequence_number;
// the stream ends with response.completed / .incomplete / .failed and no [DONE]. Codex builds its answer
// only from response.output_item.done and fails without a terminal event (integrations.md §7), so every
// opened item is closed before the terminal event. Per-token events are string templates; only the
// three lifecycle events serialise the whole response object.

import type {
  ChatChunk,
  ChatRequest,
  ChunkDelta,
  FinishReason,
  ThinkingBlock,
  ToolCallDelta,
  Usage,
} from '../../core/chat-types.js'
import { GatewayError } from '../../core/errors.js'
import type { StreamEncoder } from '../types.js'
import {
  functionCallItem,
  itemId,
  messageItem,
  newResponseId,
  outputTextPart,
  type ResponseEnvelope,
  reasoningItem,
  responseObject,
  statusOf,
  type ToolNamespaces,
  toResponsesUsage,
} from './response-object.js'
import { carryThinking } from './thinking-carrier.js'

interface OpenItem {
  kind: 'message' | 'reasoning' | 'function_call'
  id: string
  outputIndex: number
  text: string
  call?: { id: string; name: string }
}

/** The code OpenAI's own `response.failed` uses for gateway-side failures, by error kind. */
const FAILURE_CODE: Record<string, string> = {
  rate_limited: 'rate_limit_exceeded',
  invalid_request: 'invalid_prompt',
}

export function createResponsesStreamEncoder(
  requestedModel: string,
  req?: ChatRequest,
  namespaces?: ToolNamespaces,
): StreamEncoder {
  const id = newResponseId()
  const createdAt = Math.floor(Date.now() / 1000)
  let seq = 0
  let started = false
  let done = false
  let finish: FinishReason | undefined
  let usage: Usage | undefined
  /** Items in output order; finished ones are kept for the terminal event's `output`. */
  const output: unknown[] = []
  let message: OpenItem | undefined
  let reasoning: OpenItem | undefined
  /** The open reasoning item's signed thinking blocks (Anthropic upstreams), and where the unsigned text starts. */
  let signed: ThinkingBlock[] = []
  let unsignedFrom = 0
  /** Per canonical tool_calls index. Calls stay open until the finish so late argument fragments still land. */
  const calls: OpenItem[] = []

  const event = (type: string, fields: string): string =>
    `event: ${type}\ndata: {"type":"${type}","sequence_number":${seq++},${fields}}\n\n`

  const lifecycle = (type: string, e: Partial<ResponseEnvelope>): string =>
    event(
      type,
      `"response":${JSON.stringify(
        responseObject(
          {
            id,
            createdAt,
            model: requestedModel,
            status: 'in_progress',
            output: [],
            usage: null,
            incomplete_details: null,
            error: null,
            ...e,
          },
          req,
        ),
      )}`,
    )

  const start = (): string => {
    started = true
    return lifecycle('response.created', {}) + lifecycle('response.in_progress', {})
  }

  const itemAdded = (item: OpenItem, json: unknown): string =>
    event('response.output_item.added', `"output_index":${item.outputIndex},"item":${JSON.stringify(json)}`)

  const itemDone = (item: OpenItem, json: unknown): string => {
    output[item.outputIndex] = json
    return event('response.output_item.done', `"output_index":${item.outputIndex},"item":${JSON.stringify(json)}`)
  }

  const where = (item: OpenItem): string => `"item_id":"${item.id}","output_index":${item.outputIndex}`

  const open = (kind: OpenItem['kind'], prefix: 'msg' | 'rs' | 'fc'): OpenItem => {
    const outputIndex = output.length
    output.push(null)
    return { kind, id: itemId(id, prefix, outputIndex), outputIndex, text: '' }
  }

  const openMessage = (): string => {
    const m = open('message', 'msg')
    message = m
    return (
      itemAdded(m, messageItem(m.id, '', 'in_progress')) +
      event('response.content_part.added', `${where(m)},"content_index":0,"part":${JSON.stringify(outputTextPart(''))}`)
    )
  }

  const closeMessage = (): string => {
    const m = message
    if (!m) return ''
    message = undefined
    const text = JSON.stringify(m.text)
    return (
      event('response.output_text.done', `${where(m)},"content_index":0,"text":${text},"logprobs":[]`) +
      event(
        'response.content_part.done',
        `${where(m)},"content_index":0,"part":${JSON.stringify(outputTextPart(m.text))}`,
      ) +
      itemDone(m, messageItem(m.id, m.text, 'completed'))
    )
  }

  const openReasoning = (): string => {
    const r = open('reasoning', 'rs')
    reasoning = r
    signed = []
    unsignedFrom = 0
    return (
      itemAdded(r, reasoningItem(r.id, '')) +
      event(
        'response.reasoning_summary_part.added',
        `${where(r)},"summary_index":0,"part":{"type":"summary_text","text":""}`,
      )
    )
  }

  const closeReasoning = (): string => {
    const r = reasoning
    if (!r) return ''
    reasoning = undefined
    const text = JSON.stringify(r.text)
    return (
      event('response.reasoning_summary_text.done', `${where(r)},"summary_index":0,"text":${text}`) +
      event(
        'response.reasoning_summary_part.done',
        `${where(r)},"summary_index":0,"part":{"type":"summary_text","text":${text}}`,
      ) +
      itemDone(r, reasoningItem(r.id, r.text, signed.length > 0 ? carryThinking(signed) : undefined))
    )
  }

  /** A signature closes the thinking block whose text streamed since the last one; redacted thinking is whole. */
  const signedThinking = (d: ChunkDelta): string => {
    const out = reasoning ? '' : closeMessage() + openReasoning()
    const r = reasoning!
    if (d.reasoning_signature) {
      signed.push({ type: 'thinking', thinking: r.text.slice(unsignedFrom), signature: d.reasoning_signature })
      unsignedFrom = r.text.length
    }
    if (d.redacted_thinking) signed.push({ type: 'redacted_thinking', data: d.redacted_thinking })
    return out
  }

  const toolDeltas = (deltas: ToolCallDelta[]): string => {
    let out = ''
    for (const tc of deltas) {
      // Without an index (pitfall P1), a new id starts a call and anything else continues the latest one.
      const k = typeof tc.index === 'number' ? tc.index : tc.id ? calls.length : Math.max(0, calls.length - 1)
      let call = calls[k]
      if (!call) {
        out += closeReasoning() + closeMessage()
        call = open('function_call', 'fc')
        call.call = { id: tc.id || `call_${id.slice(5)}_${k}`, name: tc.function?.name ?? '' }
        calls[k] = call
        out += itemAdded(call, functionCallItem(call.id, { ...call.call, arguments: '' }, 'in_progress', namespaces))
      }
      const args = tc.function?.arguments
      if (args) {
        call.text += args
        out += event('response.function_call_arguments.delta', `${where(call)},"delta":${JSON.stringify(args)}`)
      }
    }
    return out
  }

  const closeCalls = (): string => {
    let out = ''
    for (const call of calls) {
      if (!call?.call) continue
      const args = call.text === '' ? '{}' : call.text
      out +=
        event(
          'response.function_call_arguments.done',
          `${where(call)},"name":${JSON.stringify(namespaces?.get(call.call.name)?.name ?? call.call.name)},"arguments":${JSON.stringify(args)}`,
        ) + itemDone(call, functionCallItem(call.id, { ...call.call, arguments: args }, 'completed', namespaces))
    }
    calls.length = 0
    return out
  }

  const terminal = (): string => {
    done = true
    const { status, incomplete_details } = statusOf(finish)
    const type = status === 'incomplete' ? 'response.incomplete' : 'response.completed'
    return lifecycle(type, { status, incomplete_details, output, usage: toResponsesUsage(usage) })
  }

  const fail = (err: GatewayError): string => {
    done = true
    const out = started ? '' : start()
    const error = { code: FAILURE_CODE[err.kind] ?? 'server_error', message: err.message }
    // Items still open when the stream broke are left out: their content is incomplete.
    const finished = output.filter((item) => item !== null)
    return (
      out + lifecycle('response.failed', { status: 'failed', output: finished, usage: toResponsesUsage(usage), error })
    )
  }

  return {
    chunk(c: ChatChunk): string {
      if (done) return ''
      let out = started ? '' : start()
      const choice = finish === undefined ? c.choices[0] : undefined
      const d = choice?.delta
      if (d?.reasoning_content) {
        if (!reasoning) out += closeMessage() + openReasoning()
        reasoning!.text += d.reasoning_content
        out += event(
          'response.reasoning_summary_text.delta',
          `${where(reasoning!)},"summary_index":0,"delta":${JSON.stringify(d.reasoning_content)}`,
        )
      }
      if (d?.reasoning_signature || d?.redacted_thinking) out += signedThinking(d)
      const text = d?.content || d?.refusal
      if (text) {
        if (!message) out += closeReasoning() + openMessage()
        message!.text += text
        out += event(
          'response.output_text.delta',
          `${where(message!)},"content_index":0,"delta":${JSON.stringify(text)},"logprobs":[]`,
        )
      }
      if (d?.tool_calls) out += toolDeltas(d.tool_calls)
      if (choice?.finish_reason) {
        finish = choice.finish_reason
        out += closeReasoning() + closeMessage() + closeCalls()
      }
      if (c.usage) {
        usage = c.usage
        // The usage chunk follows the finish chunk (or rides on it); the terminal event waits for it.
        if (finish !== undefined) out += terminal()
      }
      return out
    },

    end(): string {
      if (done) return ''
      if (finish !== undefined) return terminal()
      // No finish reason: the upstream cut the answer short. Say so rather than fake a clean end.
      return fail(new GatewayError('upstream', 'upstream stream ended without a finish reason'))
    },

    error(err: GatewayError): string {
      return done ? '' : fail(err)
    },
  }
}
