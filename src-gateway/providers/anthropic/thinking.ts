// What Anthropic accepts about thinking, applied to a Messages body just before it is sent, translated or
// passed through (docs/thinking.md). A conversation that visited another model carries thinking blocks
// Anthropic never signed, and tool turns without any thinking; sent as they are, the next turn is a 400.

import { isAnthropicSignature } from '../../core/thinking-signature.js'

type Body = Record<string, unknown>
type Block = { type?: unknown; signature?: unknown; data?: unknown }

/** A thinking block Anthropic can verify: its own signature, or redacted data (which only Anthropic makes). */
export function isReplayableThinking(b: Block): boolean {
  if (b.type === 'thinking') return isAnthropicSignature(b.signature)
  if (b.type === 'redacted_thinking') return typeof b.data === 'string' && b.data !== ''
  return true
}

/**
 * The body with every thinking block Anthropic did not sign left out of assistant turns (they were another
 * model's reasoning, shown to the client), and without `thinking` where Anthropic would refuse it. The
 * client's body is not changed: what differs is copied. A turn left empty is dropped; Anthropic joins the
 * user turns on either side of it.
 */
export function withSendableThinking<T extends Body>(body: T): T {
  const messages = Array.isArray(body.messages) ? withoutForeignThinking(body.messages) : body.messages
  const out: T = messages === body.messages ? body : { ...body, messages }
  if (!thinkingRefused(out)) return out
  const { thinking: _, ...rest } = out
  return withoutThinkingEdits(rest) as T
}

/**
 * Claude Code asks for context editing that clears old thinking (`clear_thinking_…`), an edit that belongs
 * to thinking; with thinking off, Anthropic drops earlier thinking anyway, so the edit goes with it.
 */
function withoutThinkingEdits(body: Body): Body {
  const cm = body.context_management as { edits?: unknown } | undefined
  if (!Array.isArray(cm?.edits)) return body
  const edits = (cm.edits as { type?: unknown }[]).filter((e) => !String(e?.type).startsWith('clear_thinking'))
  if (edits.length === cm.edits.length) return body
  const { context_management: _, ...rest } = body
  return edits.length > 0 ? { ...rest, context_management: { ...cm, edits } } : rest
}

const isForeignThinking = (b: Block): boolean => !isReplayableThinking(b)

function withoutForeignThinking(messages: unknown[]): unknown[] {
  let out: unknown[] | undefined
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as { role?: unknown; content?: unknown }
    const content = m?.role === 'assistant' && Array.isArray(m.content) ? (m.content as Block[]) : undefined
    if (!content?.some(isForeignThinking)) {
      out?.push(m)
      continue
    }
    out ??= messages.slice(0, i)
    const kept = content.filter(isReplayableThinking)
    if (kept.length > 0) out.push({ ...m, content: kept })
  }
  return out ?? messages
}

/**
 * With thinking on, Anthropic refuses a tool_choice that forces a tool, and a final assistant turn (a
 * prefill, or the turn whose tool results end the conversation) that does not start with a thinking block.
 * Such a turn came from another model or from a request without thinking; this one request then runs
 * without thinking rather than fail.
 */
export function thinkingRefused(body: Body): boolean {
  const thinking = body.thinking as { type?: unknown } | undefined
  if (!thinking || thinking.type === 'disabled') return false
  const choice = (body.tool_choice as { type?: unknown } | undefined)?.type
  if (choice === 'any' || choice === 'tool') return true
  const final = finalAssistantTurn(Array.isArray(body.messages) ? body.messages : [])
  if (!final) return false
  const first = Array.isArray(final.content) ? (final.content[0] as Block | undefined)?.type : 'text'
  return first !== 'thinking' && first !== 'redacted_thinking'
}

type Turn = { role?: unknown; content?: unknown }

function finalAssistantTurn(messages: Turn[]): Turn | undefined {
  const last = messages[messages.length - 1]
  if (last?.role === 'assistant') return last
  const results = Array.isArray(last?.content) && (last.content as Block[]).some((b) => b.type === 'tool_result')
  const before = messages[messages.length - 2]
  return results && before?.role === 'assistant' ? before : undefined
}
