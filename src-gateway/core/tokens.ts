import type { ChatRequest, ContentPart } from './chat-types.js'

// o200k_base is the GPT-4o/GPT-5 vocabulary: exact for current OpenAI models and a labelled estimate
// for others. Loaded on first use: it costs ~150 ms and most gateway runs never need it.
type Tokenizer = typeof import('gpt-tokenizer/encoding/o200k_base')
let tokenizer: Promise<Tokenizer> | undefined
const load = () => {
  tokenizer ??= import('gpt-tokenizer/encoding/o200k_base')
  return tokenizer
}

/** Per-message framing tokens in OpenAI's chat format (role markers and separators). */
const MESSAGE_OVERHEAD = 4
/** An image's cost varies by size and provider; this is a mid-size image on current models. */
const IMAGE_TOKENS = 1000

// Byte-pair encoding is superlinear in the length of one pre-token (an unbroken word or run of spaces:
// 8 KB of one letter takes ~25 ms, 130 KB over a minute), and even ordinary text costs up to ~1 µs a
// character. So runs longer than MAX_RUN are cut, the tokenizer sees at most EXACT_CHARS of one request
// (the rest is estimated from its UTF-8 size), and the loop is given back after every SLICE characters.
const MAX_RUN = 256
const SLICE = 4096
const EXACT_CHARS = 64 * 1024
/** Bytes per token in the estimate beyond EXACT_CHARS: the usual rule of thumb for English and code. */
const BYTES_PER_TOKEN = 4

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13

/**
 * Counts tokens for one request or answer within the limits above. Input that fits in one slice and
 * has no long run goes to the tokenizer whole, so short texts count exactly as they always did.
 */
class BoundedCounter {
  private exactLeft = EXACT_CHARS
  private sinceYield = 0

  constructor(private readonly tok: Tokenizer) {}

  async count(text: string): Promise<number> {
    if (text.length <= this.exactLeft) return this.exact(text)
    const head = text.slice(0, this.exactLeft)
    const rest = Buffer.byteLength(text) - Buffer.byteLength(head)
    return (await this.exact(head)) + Math.ceil(rest / BYTES_PER_TOKEN)
  }

  private async exact(text: string): Promise<number> {
    this.exactLeft -= text.length
    let total = 0
    let start = 0
    let run = 0
    let prevSpace = false
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      const space = isSpace(c)
      run = space === prevSpace ? run + 1 : 1
      // A cut right before a space that follows a word is where the tokenizer's own pre-split would cut,
      // so slicing there keeps the count exact; cutting inside a long run is the deliberate approximation.
      const cut = run > MAX_RUN || (i - start >= SLICE && c === 32 && !prevSpace)
      prevSpace = space
      if (!cut) continue
      total += await this.piece(text.slice(start, i))
      start = i
      run = 1
    }
    return total + (start < text.length ? await this.piece(start === 0 ? text : text.slice(start)) : 0)
  }

  private async piece(text: string): Promise<number> {
    if (this.sinceYield >= SLICE) {
      this.sinceYield = 0
      await yieldToLoop()
    }
    this.sinceYield += text.length
    return this.tok.countTokens(text)
  }
}

function partText(p: ContentPart): string {
  return p.type === 'text' ? (p as { text: string }).text : ''
}

/** Estimates the prompt tokens of a canonical request: text, tool calls, tool definitions and images. */
export async function estimatePromptTokens(req: ChatRequest): Promise<number> {
  const counter = new BoundedCounter(await load())
  let total = 3
  for (const m of req.messages) {
    total += MESSAGE_OVERHEAD
    if (typeof m.content === 'string') total += await counter.count(m.content)
    else if (Array.isArray(m.content)) {
      for (const p of m.content) total += p.type === 'image_url' ? IMAGE_TOKENS : await counter.count(partText(p))
    }
    for (const tc of m.tool_calls ?? []) {
      total += (await counter.count(tc.function.name)) + (await counter.count(tc.function.arguments))
    }
    if (m.reasoning_content) total += await counter.count(m.reasoning_content)
  }
  if (req.tools?.length) total += await counter.count(JSON.stringify(req.tools))
  return total
}

export async function countTextTokens(text: string): Promise<number> {
  return new BoundedCounter(await load()).count(text)
}
