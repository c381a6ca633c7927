import type { Usage } from '../core/chat-types.js'
import type { FrameParser, StreamFrame } from '../core/sse.js'

/** Token counts as the request log wants them, whatever format they came in. */
export interface TokenCounts {
  input?: number
  output?: number
  cached?: number
  reasoning?: number
}

export function countsFromUsage(u: Usage | null | undefined): TokenCounts | undefined {
  if (!u) return undefined
  return {
    input: u.prompt_tokens,
    output: u.completion_tokens,
    cached: u.prompt_tokens_details?.cached_tokens,
    reasoning: u.completion_tokens_details?.reasoning_tokens,
  }
}

/** Anthropic reports cache reads and writes beside `input_tokens`; the log wants the total. */
export function countsFromAnthropicUsage(u: Record<string, number | undefined> | undefined): TokenCounts | undefined {
  if (!u) return undefined
  const cacheRead = u.cache_read_input_tokens ?? 0
  return {
    input: (u.input_tokens ?? 0) + cacheRead + (u.cache_creation_input_tokens ?? 0),
    output: u.output_tokens,
    cached: cacheRead || undefined,
  }
}

/**
 * How much of a streamed answer's text (or of its frames) is kept for the request log and a token
 * estimate: the first MB. The client still gets every byte, and usage is read from every frame.
 */
export const KEPT_TEXT_CHARS = 1024 * 1024

/** Turns upstream frames into client bytes for one stream. */
export interface StreamTranslator {
  frames(frames: StreamFrame[]): string
  /** Upstream ended: closing bytes, or throws when the upstream ended early. */
  end(): string
  counts(): TokenCounts | undefined
  /** The answer's text so far; only called when tokens must be estimated. */
  outputText(): string
}

/**
 * Turns upstream bytes into client bytes for one stream: a frame translator behind a parser (framedRelay), or a
 * pass-through that relays the upstream's own bytes (openaiPassthroughRelay).
 */
export interface StreamRelay {
  /** The client's bytes for one upstream chunk: a string, or slices of the chunk itself. */
  push(chunk: Buffer): string | Buffer[]
  /** Upstream ended: the bytes of a last frame that had no terminating blank line. */
  flush(): string | Buffer[]
  /** After flush: closing bytes, or throws when the upstream ended early. */
  end(): string
  counts(): TokenCounts | undefined
  /** The answer's text (its first KEPT_TEXT_CHARS), for the log and token estimates. */
  outputText(): string
}

/** A frame translator fed by a parser. */
export function framedRelay(parser: FrameParser, translator: StreamTranslator): StreamRelay {
  return {
    push: (chunk) => translator.frames(parser.push(chunk)),
    flush: () => translator.frames(parser.flush()),
    end: () => translator.end(),
    counts: () => translator.counts(),
    outputText: () => translator.outputText(),
  }
}
