// Canonical chunks → Ollama NDJSON lines: one object per text piece, `done: true` with counters last, a
// bare `{"error":…}` line on failure (protocols.md §5). Ollama sends each tool call whole, so argument
// fragments are gathered and the calls go out in one line when the model finishes.

import type { ChatChunk, FinishReason, ToolCallDelta, Usage } from '../../core/chat-types.js'
import type { GatewayError } from '../../core/errors.js'
import type { StreamEncoder } from '../types.js'
import { doneReason, finalStats, type OllamaEndpoint, toOllamaToolCalls } from './reply-shape.js'

interface PendingCall {
  id: string
  function: { name: string; arguments: string }
}

export function createOllamaStreamEncoder(requestedModel: string, endpoint: OllamaEndpoint, t0: number): StreamEncoder {
  // One head per stream, built at the first chunk: it names the model that answered, as its upstream names
  // it (what every dialect reports). One timestamp: clients never compare them, and a Date per token would
  // cost on the hot path.
  let head = ''
  // Chat puts the text (and thinking) in `message`, generate at the top level.
  const body =
    endpoint === 'chat'
      ? (content: string, extra = '') => `"message":{"role":"assistant","content":${content}${extra}}`
      : (content: string, extra = '') => `"response":${content}${extra}`
  const textLine = (text: string) => `${head}${body(JSON.stringify(text))},"done":false}\n`
  const thinkingLine = (text: string) => `${head}${body('""', `,"thinking":${JSON.stringify(text)}`)},"done":false}\n`

  let firstTokenAt: number | undefined
  let finish: FinishReason | undefined
  let usage: Usage | undefined
  let done = false
  // Keyed by the upstream's index, in a Map: an array indexed by it would let an index like 100000000 make
  // a sparse array whose every later walk takes seconds.
  const calls = new Map<number, PendingCall>()
  let top = -1

  const gather = (deltas: ToolCallDelta[]) => {
    for (const tc of deltas) {
      // Without an index (pitfall P1), a new id starts a call and anything else continues the latest one.
      const k = typeof tc.index === 'number' ? tc.index : tc.id ? top + 1 : Math.max(0, top)
      let call = calls.get(k)
      if (!call) {
        call = { id: tc.id ?? `call_${k}`, function: { name: '', arguments: '' } }
        calls.set(k, call)
        top = Math.max(top, k)
      }
      if (tc.function?.name) call.function.name = tc.function.name
      if (tc.function?.arguments) call.function.arguments += tc.function.arguments
    }
  }

  const toolLine = (): string => {
    const whole = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c)
    if (whole.length === 0 || endpoint !== 'chat') return ''
    return `${head}${body('""', `,"tool_calls":${JSON.stringify(toOllamaToolCalls(whole))}`)},"done":false}\n`
  }

  const finalLine = (): string => {
    done = true
    const now = performance.now()
    const stats = JSON.stringify(finalStats(usage, t0, firstTokenAt ?? now, now)).slice(1)
    return `${head}${body('""')},"done":true,"done_reason":"${doneReason(finish)}",${stats}\n`
  }

  return {
    chunk(c: ChatChunk): string {
      if (done) return ''
      if (head === '')
        head = `{"model":${JSON.stringify(c.model || requestedModel)},"created_at":"${new Date().toISOString()}",`
      let out = ''
      const choice = finish === undefined ? c.choices[0] : undefined
      const d = choice?.delta
      if (d) {
        if (d.reasoning_content) out += thinkingLine(d.reasoning_content)
        const text = d.content || d.refusal
        if (text) out += textLine(text)
        if (d.tool_calls) gather(d.tool_calls)
        if (out !== '') firstTokenAt ??= performance.now()
      }
      if (choice?.finish_reason) {
        finish = choice.finish_reason
        out += toolLine()
      }
      if (c.usage) {
        usage = c.usage
        // The usage chunk follows the finish chunk (or rides on it); the final line waits for it.
        if (finish !== undefined) out += finalLine()
      }
      return out
    },
    end(): string {
      if (done) return ''
      if (finish !== undefined) return finalLine()
      done = true
      return '{"error":"upstream stream ended without a finish reason"}\n'
    },
    error(err: GatewayError): string {
      if (done) return ''
      done = true
      return `${JSON.stringify({ error: err.message })}\n`
    },
  }
}
