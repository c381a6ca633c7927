import { GatewayError } from '../core/errors.js'
import type { UpstreamResponse } from '../core/upstream.js'

// An error frame as the very first bytes of a 200 stream: Anthropic's `event: error`, an OpenAI-shaped
// `data: {"error": …}`, or an NDJSON `{"error": …}` line (Ollama).
const ERROR_FIRST = /^\s*(?:event:\s*error\b|data:\s*\{\s*"error"|\{\s*"error")/

/** A streamed body whose first chunk has been read already. */
export interface OpenedStream {
  head: Buffer | undefined
  rest: AsyncIterable<Buffer>
}

/**
 * Reads a 200 stream's first chunk before anything is sent to the client. A stream that fails right
 * there is a failed attempt, not a failed answer, so the pipeline can still retry or fall back (Anthropic
 * sends `overloaded_error` this way after a 200). Resolves with the error (the response released) or
 * with the stream, its first chunk kept for the reader. The chunk comes from the same iterator the
 * reader goes on with, so this costs one await, not a second pass over the body.
 */
export async function openStream(res: UpstreamResponse, provider: string): Promise<OpenedStream | GatewayError> {
  const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  const first = await it.next()
  const rest = { [Symbol.asyncIterator]: () => it }
  if (first.done || !ERROR_FIRST.test(first.value.toString('latin1', 0, 64))) return { head: first.value, rest }
  await it.return?.()
  res.done()
  let message = 'the upstream stream failed before its first token'
  try {
    const e = JSON.parse(outermostBraces(first.value.toString('utf8'))).error
    message = typeof e === 'string' ? e : (e?.message ?? message)
  } catch {
    // not JSON in one chunk: keep the generic message
  }
  return new GatewayError('upstream_overloaded', message, { provider, code: 'stream_error_before_first_byte' })
}

/**
 * From the first `{` to the last `}` (what `/\{[\s\S]*\}/` matches) in linear time: that regex backtracks
 * quadratically over a chunk of `{` with no `}`, which an upstream could send to stall the loop.
 */
function outermostBraces(text: string): string {
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  return start >= 0 && end > start ? text.slice(start, end + 1) : ''
}
