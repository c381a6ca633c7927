import type { Dispatcher } from 'undici'
import { Pool, util } from 'undici'
import { MAX_ERROR_BYTES, MAX_REPLY_BYTES, readBounded } from './bounded-read.js'
import type { CancelSignal } from './cancel.js'
import { GatewayError } from './errors.js'

/** An HTTP request to send upstream. `path` is appended to the base URL. Built by pure functions. */
export interface UpstreamRequest {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface Timeouts {
  connectMs: number
  /** Until the response headers arrive. */
  firstByteMs: number
  /**
   * The same for a call that does not stream, while `firstByteMs` is a default: such an answer's first
   * byte comes with its last, so it waits for the whole generation too. A configured `firstByteMs` is
   * every call's (see withTimeouts).
   */
  unstreamedFirstByteMs?: number
  /** Longest silence between two body chunks. */
  idleMs: number
  /** The whole exchange, body included. */
  totalMs: number
}

export const CLOUD_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 120_000, totalMs: 600_000 }
/**
 * Local servers (Ollama, llama.cpp, LM Studio) send a stream's headers only with its first token, after
 * loading the model and reading the prompt. Loading is bound by the disk: a 4-5 GB 7-8B model at Q4 loads
 * in 2-5 s from an SSD, a ~20 GB 32B one in about 10 s from NVMe; reading a few thousand prompt tokens
 * takes seconds on a GPU or Apple silicon. 30 s covers those with room to spare, and a hung server then
 * costs a local-first route 30 s, not 5 minutes. Bigger models, slow disks or CPU-only long prompts need
 * the provider's own `timeouts.firstByteMs`. An answer that does not stream arrives whole, after the
 * generation too (minutes at a few tokens a second), so it keeps the old 5 minutes.
 */
export const LOCAL_TIMEOUTS: Timeouts = {
  connectMs: 5_000,
  firstByteMs: 30_000,
  unstreamedFirstByteMs: 300_000,
  idleMs: 180_000,
  totalMs: 900_000,
}

/** `base` with the configured `override` on top: a configured `firstByteMs` holds for every call, streamed or not. */
export function withTimeouts(base: Timeouts, override: Partial<Timeouts> | undefined): Timeouts {
  if (!override) return base
  const { unstreamedFirstByteMs, ...rest } = base
  return override.firstByteMs === undefined ? { ...base, ...override } : { ...rest, ...override }
}

/** The timeouts of one call: one that does not stream waits for its whole answer (unstreamedFirstByteMs). */
export function callTimeouts(timeouts: Timeouts, stream: boolean): Timeouts {
  const unstreamed = timeouts.unstreamedFirstByteMs
  return stream || unstreamed === undefined ? timeouts : { ...timeouts, firstByteMs: unstreamed }
}

/**
 * How late a timer may fire before the event loop, not the upstream, is taken to have been slow (a long
 * synchronous task stalled it). A timer that comes due during a stall runs first thing after it, before
 * the sockets are read, so an answer that arrived in time would still lose the race.
 */
const STALL_MS = 100

/**
 * setTimeout for an upstream deadline that an event-loop stall cannot trip: a timer that fires late
 * waits again for as long as it was late (at most `ms`), so whatever arrived meanwhile is read first.
 * Returns the function that cancels it.
 */
export function deadline(ms: number, fire: () => void): () => void {
  let due = performance.now() + ms
  const check = () => {
    const late = performance.now() - due
    if (late <= STALL_MS) return fire()
    const again = Math.min(late, ms)
    due += late + again
    timer = setTimeout(check, again)
  }
  let timer = setTimeout(check, ms)
  return () => clearTimeout(timer)
}

/**
 * An upstream body: its chunks, once. `destroy()` (or leaving a `for await` early) before its end drops the
 * connection, so the upstream stops sending.
 */
export interface UpstreamBody extends AsyncIterable<Buffer> {
  destroy(): void
}

export interface UpstreamResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: UpstreamBody
  /** Cancels the total-time timer; call when the body has been consumed or abandoned. */
  done(): void
  /**
   * The whole body as text, then `done()`, on every path. A 2xx body over MAX_REPLY_BYTES is a 502; an
   * error body is cut at MAX_ERROR_BYTES (its start is the message). Either way the connection is dropped.
   */
  text(): Promise<string>
}

/** Chunks held for a reader that has not asked yet; past this the upstream's socket is paused. */
const HIGH_WATER_BYTES = 64 * 1024

const END: IteratorResult<Buffer> = { done: true, value: undefined }

/** Dropped by its reader before the end (as undici's own body reports it). */
class BodyAbandoned extends Error {
  override name = 'AbortError'
  code = 'UND_ERR_ABORTED'
}

/**
 * One upstream exchange as an undici dispatch handler: it resolves with the status and headers, then hands
 * the body's chunks to one reader. undici's `request()` wraps each body in a Node Readable and its async
 * iterator (an AsyncResource, a stream state machine, a generator per call); this queue is all a relayed
 * stream needs, with the same backpressure (the socket pauses while HIGH_WATER_BYTES wait unread) and the
 * same failures (a read rejects with the reason the exchange was aborted for, or undici's own error).
 */
class Exchange implements Dispatcher.DispatchHandler, UpstreamBody {
  private undiciAbort: ((err?: Error) => void) | undefined
  /** Why the exchange was aborted before undici took it (it is then aborted as soon as it does). */
  private reason: Error | undefined
  private resume: (() => void) | undefined
  private paused = false
  private headersSettled = false
  private chunks: Buffer[] = []
  private queued = 0
  private ended = false
  private failure: Error | undefined
  private reader: { resolve(r: IteratorResult<Buffer>): void; reject(err: Error): void } | undefined

  constructor(
    private readonly onHead: (status: number, headers: Record<string, string | string[] | undefined>) => void,
    private readonly onFail: (err: Error) => void,
  ) {}

  /** Aborts the exchange: before the headers the send rejects with `reason`, after them the body's read does. */
  abort(reason: Error): void {
    if (this.ended || this.failure) return
    if (this.undiciAbort) this.undiciAbort(reason)
    else this.reason ??= reason
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.reason) abort(this.reason)
    else this.undiciAbort = abort
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one.
    if (status < 200) return true
    this.resume = resume
    this.headersSettled = true
    this.onHead(status, util.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>)
    return true
  }

  onData(chunk: Buffer): boolean {
    const reader = this.reader
    if (reader) {
      this.reader = undefined
      reader.resolve({ done: false, value: chunk })
      return true
    }
    this.chunks.push(chunk)
    this.queued += chunk.length
    if (this.queued < HIGH_WATER_BYTES) return true
    this.paused = true
    return false
  }

  onComplete(): void {
    this.ended = true
    const reader = this.reader
    if (reader && this.chunks.length === 0) {
      this.reader = undefined
      reader.resolve(END)
    }
  }

  onError(err: Error): void {
    this.failure = err
    if (!this.headersSettled) {
      this.headersSettled = true
      this.onFail(err)
      return
    }
    const reader = this.reader
    if (reader) {
      this.reader = undefined
      reader.reject(err)
    }
  }

  /** The chunks that arrived since the last read, joined (as a Readable's iterator hands them over). */
  private take(): Buffer {
    const { chunks } = this
    const out = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.queued)
    this.chunks = []
    this.queued = 0
    if (this.paused) {
      this.paused = false
      this.resume?.()
    }
    return out
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => {
        if (this.chunks.length > 0) return Promise.resolve({ done: false, value: this.take() })
        if (this.failure) return Promise.reject(this.failure)
        if (this.ended) return Promise.resolve(END)
        return new Promise((resolve, reject) => {
          this.reader = { resolve, reject }
        })
      },
      return: () => {
        this.destroy()
        return Promise.resolve(END)
      },
    }
  }

  destroy(): void {
    this.chunks = []
    this.queued = 0
    this.abort(new BodyAbandoned('the upstream body was abandoned before its end'))
  }
}

/** What a provider's pool is made with: `retain` keeps the pools the current providers would use. */
export interface PoolSpec {
  baseUrl: string
  connectMs: number
  maxConnections?: number
}

const DEFAULT_CONNECTIONS = 256

const poolKey = (origin: string, connectMs: number, maxConnections: number | undefined) =>
  `${origin} ${maxConnections ?? DEFAULT_CONNECTIONS} ${connectMs}`

/**
 * The only place that talks to providers. One keep-alive connection pool per origin and connection
 * options, reused by every request, so no call pays for a new TCP/TLS handshake; a provider whose
 * options change gets a new pool, and `retain` closes the ones no provider uses any more.
 */
export class Upstreams {
  private pools = new Map<string, Pool>()
  /** Parsed base URLs: URL parsing is measurable at thousands of requests per second. */
  private bases = new Map<string, { origin: string; path: string; search: string }>()

  private base(baseUrl: string) {
    let b = this.bases.get(baseUrl)
    if (!b) {
      const url = new URL(baseUrl)
      b = { origin: url.origin, path: url.pathname.replace(/\/$/, ''), search: url.search }
      this.bases.set(baseUrl, b)
    }
    return b
  }

  private pool(origin: string, connectMs: number, maxConnections: number | undefined): Pool {
    const key = poolKey(origin, connectMs, maxConnections)
    let pool = this.pools.get(key)
    if (!pool) {
      pool = new Pool(origin, {
        connections: maxConnections ?? DEFAULT_CONNECTIONS,
        connect: { timeout: connectMs },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
      })
      this.pools.set(key, pool)
    }
    return pool
  }

  /**
   * After a config change: closes every pool none of `wanted` would pick (a removed provider, a changed
   * base URL or connection option). Every kind of call to a provider uses its pool, so the provider's
   * `maxConnections` caps them all. `close()` lets the requests in flight on a pool finish first; new
   * ones get a new pool.
   */
  retain(wanted: Iterable<PoolSpec>): void {
    const keep = new Set<string>()
    for (const w of wanted) keep.add(poolKey(this.base(w.baseUrl).origin, w.connectMs, w.maxConnections))
    for (const [key, pool] of this.pools) {
      if (keep.has(key)) continue
      this.pools.delete(key)
      void pool.close()
    }
    // Base URLs no longer configured would otherwise stay parsed forever.
    this.bases.clear()
  }

  /**
   * Sends `req` to `baseUrl` + `req.path`. Resolves once headers arrive; the body streams. Transport
   * failures become GatewayErrors naming the provider, never leaking headers or keys.
   */
  async send(
    provider: string,
    baseUrl: string,
    req: UpstreamRequest,
    timeouts: Timeouts,
    signal: CancelSignal,
    maxConnections?: number,
  ): Promise<UpstreamResponse> {
    const base = this.base(baseUrl)
    const pool = this.pool(base.origin, timeouts.connectMs, maxConnections)
    let stopFirstByte: () => void = () => undefined
    let stopTotal: () => void = () => undefined
    const onAbort = () => exchange.abort(signal.reason as Error)
    const done = () => {
      stopTotal()
      signal.removeEventListener('abort', onAbort)
    }
    let exchange!: Exchange
    const head = new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
      (resolve, reject) => {
        exchange = new Exchange((status, headers) => resolve({ status, headers }), reject)
      },
    )
    stopTotal = deadline(timeouts.totalMs, () => exchange.abort(new TotalTimeout()))
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    // Timed here, not by undici's headersTimeout: that one did not fire for sub-second values, and an
    // event-loop stall would trip it (see deadline).
    stopFirstByte = deadline(timeouts.firstByteMs, () => exchange.abort(new FirstByteTimeout()))
    try {
      pool.dispatch(
        {
          origin: base.origin,
          method: req.method,
          path: base.path + req.path + base.search,
          headers: req.headers,
          body: req.body,
          headersTimeout: 0,
          bodyTimeout: timeouts.idleMs,
        },
        exchange,
      )
      const { status, headers } = await head
      stopFirstByte()
      const body: UpstreamBody = exchange
      const text = () =>
        (status < 300
          ? readBounded(body, MAX_REPLY_BYTES, 'throw', provider)
          : readBounded(body, MAX_ERROR_BYTES, 'truncate', provider)
        ).finally(done)
      return { status, headers, body, done, text }
    } catch (err) {
      stopFirstByte()
      done()
      throw transportError(provider, base.origin, err, timeouts)
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()))
    this.pools.clear()
  }
}

class TotalTimeout extends Error {
  override name = 'TotalTimeout'
}

class FirstByteTimeout extends Error {
  override name = 'FirstByteTimeout'
}

/** Maps undici / socket errors to what the client should see. */
export function transportError(provider: string, origin: string, err: unknown, timeouts: Timeouts): GatewayError {
  if (err instanceof GatewayError) return err
  const e = err as NodeJS.ErrnoException & { code?: string }
  const where = `provider '${provider}' (${origin})`
  const opts = { provider, cause: err, code: 'upstream_unreachable' }
  switch (e?.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new GatewayError('upstream_timeout', `${where}: no connection within ${timeouts.connectMs} ms`, opts)
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new GatewayError('upstream_timeout', `${where}: no response within ${timeouts.firstByteMs} ms`, opts)
    case 'UND_ERR_BODY_TIMEOUT':
      return new GatewayError('upstream_timeout', `${where}: stream stalled for ${timeouts.idleMs} ms`, opts)
    case 'ECONNREFUSED':
      return new GatewayError('upstream', `${where}: connection refused (is it running?)`, opts)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new GatewayError('upstream', `${where}: host not found`, opts)
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new GatewayError('upstream', `${where}: connection closed unexpectedly`, opts)
  }
  // An aborted request rejects with the abort reason itself, or with an error whose cause it is.
  const cause = (e as { cause?: unknown })?.cause
  if (err instanceof FirstByteTimeout || cause instanceof FirstByteTimeout) {
    return new GatewayError('upstream_timeout', `${where}: no response within ${timeouts.firstByteMs} ms`, opts)
  }
  if (err instanceof TotalTimeout || cause instanceof TotalTimeout) {
    return new GatewayError('upstream_timeout', `${where}: no complete answer within ${timeouts.totalMs} ms`, opts)
  }
  return new GatewayError('upstream', `${where}: ${e?.message ?? 'request failed'}`, opts)
}
