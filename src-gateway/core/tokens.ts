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

function partText(p: ContentPart): string {
  return p.type === 'text' ? (p as { text: string }).text : ''
}

/** Estimates the prompt tokens of a canonical request: text, tool calls, tool definitions and images. */
export async function estimatePromptTokens(req: ChatRequest): Promise<number> {
  const { countTokens } = await load()
  let total = 3
  for (const m of req.messages) {
    total += MESSAGE_OVERHEAD
    if (typeof m.content === 'string') total += countTokens(m.content)
    else if (Array.isArray(m.content)) {
      for (const p of m.content) total += p.type === 'image_url' ? IMAGE_TOKENS : countTokens(partText(p))
    }
    for (const tc of m.tool_calls ?? []) total += countTokens(tc.function.name) + countTokens(tc.function.arguments)
    if (m.reasoning_content) total += countTokens(m.reasoning_content)
  }
  if (req.tools?.length) total += countTokens(JSON.stringify(req.tools))
  return total
}

export async function countTextTokens(text: string): Promise<number> {
  return (await load()).countTokens(text)
}
