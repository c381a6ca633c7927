import type { Dispatcher } from 'undici'
import { Pool } from 'undici'
import type { UpstreamRequest } from '../providers/types.js'
import { MAX_ERROR_BYTES, MAX_REPLY_BYTES, readBounded } from './bounded-read.js'
import { CallAbort, type CancelSignal } from './cancel.js'
import { GatewayError } from './errors.js'

export interface Timeouts {
  connectMs: number
  /** Until the response headers arrive (local models may need minutes to load). */
  firstByteMs: number
  /** Longest silence between two body chunks. */
  idleMs: number
  /** The whole exchange, body included. */
  totalMs: number
}

export const CLOUD_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 120_000, totalMs: 600_000 }
export const LOCAL_TIMEOUTS: Timeouts = { connectMs: 5_000, firstByteMs: 300_000, idleMs: 180_000, totalMs: 900_000 }

export interface UpstreamResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Dispatcher.ResponseData['body']
  /** Cancels the total-time timer; call when the body has been consumed or abandoned. */
  done(): void
  /**
   * The whole body as text, then `done()`, on every path. A 2xx body over MAX_REPLY_BYTES is a 502; an
   * error body is cut at MAX_ERROR_BYTES (its start is the message). Either way the connection is dropped.
   */
  text(): Promise<string>
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
    const total = new CallAbort()
    const timer = setTimeout(() => total.abort(new TotalTimeout()), timeouts.totalMs)
    const onAbort = () => total.abort(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    // undici's own headersTimeout did not fire for sub-second values here, so time the first byte ourselves.
    const firstByte = setTimeout(() => total.abort(new FirstByteTimeout()), timeouts.firstByteMs)
    try {
      const res = await pool.request({
        method: req.method,
        path: base.path + req.path + base.search,
        headers: req.headers,
        body: req.body,
        signal: total,
        headersTimeout: timeouts.firstByteMs,
        bodyTimeout: timeouts.idleMs,
      })
      clearTimeout(firstByte)
      const { statusCode: status, body } = res
      const text = () =>
        (status < 300
          ? readBounded(body, MAX_REPLY_BYTES, 'throw', provider)
          : readBounded(body, MAX_ERROR_BYTES, 'truncate', provider)
        ).finally(done)
      return { status, headers: res.headers, body, done, text }
    } catch (err) {
      clearTimeout(firstByte)
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
