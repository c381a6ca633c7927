import type { Readable } from 'node:stream'
import { GatewayError } from '../core/errors.js'
import type { Timeouts, UpstreamResponse } from '../core/upstream.js'

// An error frame as the very first bytes of a 200 stream: Anthropic's `event: error`, an OpenAI-shaped
// `data: {"error": …}`, or an NDJSON `{"error": …}` line (Ollama).
const ERROR_FIRST = /^\s*(?:event:\s*error\b|data:\s*\{\s*"error"|\{\s*"error")/

/** The first chunk of a body, left in place for whoever reads it next; null when the body is empty. */
function peek(body: Readable, idleMs: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    // undici's body timeout only runs between chunks, so silence right after the headers is timed here.
    const timer = setTimeout(() => done(null, new IdleBeforeFirstByte(idleMs)), idleMs)
    const done = (value: Buffer | null, err?: unknown) => {
      clearTimeout(timer)
      body.off('readable', onReadable).off('end', onEnd).off('error', onError)
      if (err) reject(err)
      else {
        if (value) body.unshift(value)
        resolve(value)
      }
    }
    const onReadable = () => {
      const chunk = body.read() as Buffer | null
      if (chunk !== null) done(chunk)
    }
    const onEnd = () => done(null)
    const onError = (err: unknown) => done(null, err)
    body.on('readable', onReadable).once('end', onEnd).once('error', onError)
  })
}

class IdleBeforeFirstByte extends Error {
  constructor(ms: number) {
    super(`stream sent no data within ${ms} ms of its headers`)
  }
}

function release(res: UpstreamResponse): void {
  // Destroying an unfinished undici body emits an abort error; nobody else is listening for it any more.
  res.body.on('error', () => {})
  res.body.destroy()
  res.done()
}

/**
 * A stream that fails before its first byte is a failed attempt, not a failed answer: nothing has reached
 * the client yet, so the pipeline can still retry or fall back (Anthropic sends `overloaded_error` this
 * way after a 200). Returns the error, having released the response, or undefined when the stream is fine.
 */
export async function earlyStreamError(
  res: UpstreamResponse,
  provider: string,
  timeouts: Timeouts,
): Promise<GatewayError | undefined> {
  let first: Buffer | null
  try {
    first = await peek(res.body as unknown as Readable, timeouts.idleMs)
  } catch (err) {
    release(res)
    if (err instanceof IdleBeforeFirstByte) {
      return new GatewayError('upstream_timeout', `provider '${provider}': ${err.message}`, { provider })
    }
    throw err
  }
  if (!first || !ERROR_FIRST.test(first.toString('latin1', 0, 64))) return undefined
  const text = first.toString('utf8')
  release(res)
  let message = 'the upstream stream failed before its first token'
  const json = /\{[\s\S]*\}/.exec(text)?.[0]
  try {
    const e = JSON.parse(json ?? '').error
    message = typeof e === 'string' ? e : (e?.message ?? message)
  } catch {
    // not JSON in one chunk: keep the generic message
  }
  return new GatewayError('upstream_overloaded', message, { provider, code: 'stream_error_before_first_byte' })
}
