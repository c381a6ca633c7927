import { GatewayError } from './errors.js'

/**
 * A prompt larger than the context window of every target that could take it. Each inbound API words
 * it as its own server would (the errors.ts of each api/ folder), since agents compact their history on exactly that
 * error: Anthropic's "prompt is too long: N tokens > M maximum" is the message here.
 */
export class ContextLengthError extends GatewayError {
  constructor(
    readonly promptTokens: number,
    readonly contextWindow: number,
  ) {
    super('invalid_request', `prompt is too long: ${promptTokens} tokens > ${contextWindow} maximum`, {
      param: 'messages',
      code: 'context_length_exceeded',
    })
  }
}

/**
 * How servers word their own "too long" answer, each giving the prompt's tokens and the window: Anthropic,
 * and OpenAI with the servers that copy it (vLLM's "you requested N tokens" counts the answer's room too).
 */
const UPSTREAM_WORDINGS: readonly [RegExp, prompt: number, window: number][] = [
  [/prompt is too long: (\d+) tokens > (\d+) maximum/, 1, 2],
  [/maximum context length is (\d+) tokens\. However, (?:your messages resulted in|you requested) (\d+) tokens/, 2, 1],
]

/**
 * An upstream's own "too long" answer as the gateway's, so that a caller gets it in its own API's words
 * whichever API the upstream speaks (an agent compacts only on the words it knows). Only client errors are
 * read: a server's message is the only place these numbers are.
 */
export function upstreamContextLength(err: GatewayError): ContextLengthError | undefined {
  if (err.status !== 400) return undefined
  for (const [pattern, prompt, window] of UPSTREAM_WORDINGS) {
    const m = pattern.exec(err.message)
    if (!m) continue
    const tooLong = new ContextLengthError(Number(m[prompt]), Number(m[window]))
    tooLong.opts.provider = err.opts.provider
    return tooLong
  }
  return undefined
}
