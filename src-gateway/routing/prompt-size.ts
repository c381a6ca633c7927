// A prompt's size as routing and request building see it: characters (free, an upper bound on tokens)
// and, only when those do not settle the question, the tokenizer's estimate. Both are kept per request
// object, so the window check and the Ollama num_ctx sizing of one call count once.

import type { ChatRequest } from '../core/chat-types.js'
import { estimatePromptTokens } from '../core/tokens.js'

interface Size {
  chars: number
  tokens?: number
  counting?: Promise<number>
}

const sizes = new WeakMap<ChatRequest, Size>()

function sizeOf(req: ChatRequest): Size {
  let size = sizes.get(req)
  if (!size) {
    size = { chars: countChars(req) }
    sizes.set(req, size)
  }
  return size
}

function countChars(req: ChatRequest): number {
  let n = req.tools ? jsonChars(req.tools) : 0
  for (const m of req.messages) {
    if (typeof m.content === 'string') n += m.content.length
    else if (Array.isArray(m.content)) for (const p of m.content) n += jsonChars(p)
    // An agent's history is largely its tool calls: the files it wrote are in their arguments.
    if (m.role === 'assistant' && m.tool_calls) {
      for (const tc of m.tool_calls) n += tc.function.name.length + tc.function.arguments.length
    }
  }
  return n
}

/**
 * About the length of `v` as JSON, walked instead of serialised: an agent's tool schemas run to tens of
 * kilobytes on every call, and JSON.stringify of them costs ten times as much.
 */
function jsonChars(v: unknown): number {
  if (typeof v === 'string') return v.length + 2
  if (v === null || typeof v !== 'object') return 8
  let n = 2
  if (Array.isArray(v)) {
    for (const x of v) n += jsonChars(x) + 1
    return n
  }
  for (const k in v) n += k.length + 4 + jsonChars((v as Record<string, unknown>)[k])
  return n
}

/** Characters of the prompt: an upper bound on its tokens that costs nothing to compute. */
export function promptChars(req: ChatRequest): number {
  return sizeOf(req).chars
}

/** The tokenizer's estimate of the prompt, counted once per request. */
export function promptTokens(req: ChatRequest): Promise<number> {
  const size = sizeOf(req)
  size.counting ??= estimatePromptTokens(req).then((n) => {
    size.tokens = n
    return n
  })
  return size.counting
}

/**
 * Characters per token below which hardly any text goes (code and English run at 3.5-4.5): a size that
 * does not undercount, for when tokenizing was not worth it.
 */
const MIN_CHARS_PER_TOKEN = 3

/** The tokenizer's count when it was taken, else an estimate from the characters that errs on the large side. */
export function promptTokensSoFar(req: ChatRequest): number {
  const size = sizeOf(req)
  return size.tokens ?? Math.ceil(size.chars / MIN_CHARS_PER_TOKEN)
}
