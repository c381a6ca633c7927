import { GatewayError } from './errors.js'

const MB = 1024 * 1024

/** A complete (non-stream) answer: far above any real reply, far below what would hurt the process. */
export const MAX_REPLY_BYTES = 32 * MB
/** An error body is only ever turned into a message: its start says everything. */
export const MAX_ERROR_BYTES = 64 * 1024
/** One line of a stream (one SSE field or NDJSON object): a whole image fits; an endless line does not. */
export const MAX_STREAM_LINE_CHARS = 8 * MB

const utf8 = new TextDecoder()

/** The 502 a reply over one of the caps gets, whatever the reply's dialect. */
export function replyTooLarge(provider: string | undefined, what: string, limit: number): GatewayError {
  const size = limit >= MB ? `${limit / MB} MB` : `${limit / 1024} KB`
  return new GatewayError('upstream', `upstream reply exceeds ${size}${what}`, {
    provider,
    code: 'upstream_reply_too_large',
  })
}

/**
 * Reads a body as UTF-8 text, at most `limit` bytes of it. Past the limit the body is destroyed (undici
 * then drops the connection, so the upstream stops sending) and `onOverflow` decides: throw, or keep
 * the text read so far (`truncate`).
 */
export async function readBounded(
  body: AsyncIterable<Uint8Array> & { destroy(): void },
  limit: number,
  onOverflow: 'throw' | 'truncate',
  provider?: string,
): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const b of body) {
    if (size + b.length > limit) {
      body.destroy()
      if (onOverflow === 'throw') throw replyTooLarge(provider, '', limit)
      chunks.push(b.subarray(0, limit - size))
      size = limit
      break
    }
    chunks.push(b)
    size += b.length
  }
  return utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
}
