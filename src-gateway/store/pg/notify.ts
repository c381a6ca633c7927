import type { Client } from 'pg'
import type { PgPool } from './pool.js'

/** Postgres drops a NOTIFY whose payload is 8000 bytes or more; a caller's longer payload is refused here instead. */
export const MAX_PAYLOAD_BYTES = 7999
/** Channel names after the `switchyard_` prefix: lower-case identifiers, so LISTEN and pg_notify name the same one. */
const CHANNEL = /^[a-z][a-z0-9_]{0,39}$/
/** How long a lost listening connection waits before the next try (doubling up to RETRY_MAX_MS). */
const RETRY_MIN_MS = 250
const RETRY_MAX_MS = 2000

export type NotifyListener = (payload: string) => void

/**
 * Change notices between the instances sharing one Postgres (LISTEN/NOTIFY): what keeps each instance's in-memory
 * copy of a small shared table (config, team accounts, service accounts) fresh within a second without a database
 * round trip on the hot path.
 */
export interface PgNotifier {
  /**
   * Calls `listener` with each payload sent on `channel` (by any instance, this one included) and with `''` after
   * every (re)connect of the listening connection, the first one included: notices sent while it was down are
   * lost, so `''` means "re-read everything". Returns the unsubscribe.
   */
  listen(channel: string, listener: NotifyListener): () => void
  /**
   * Sends `payload` on `channel` to every listening instance. Rejects while Postgres is unreachable: the writer
   * has already written the change, and the others' periodic re-read picks it up.
   */
  notify(channel: string, payload: string): Promise<void>
  /** This instance's id (random): a payload that carries it lets a listener skip its own notices. */
  readonly origin: string
  close(): Promise<void>
}

/** Where the notifier finds the database: the gateway's PgLifecycle (its pool once open). */
export interface PoolSource {
  pool(): PgPool | undefined
}

/** The Postgres channel a notifier channel is sent on (`switchyard_<channel>`); throws for an invalid name. */
export function channelName(channel: string): string {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notify channel ${JSON.stringify(channel)}`)
  return `switchyard_${channel}`
}

/**
 * One dedicated connection per instance (outside the pool: a pooled one would be handed to other queries, and a
 * LISTEN lives as long as its session) that LISTENs to every channel someone listens to. It connects once the
 * lifecycle's pool exists, and again after it breaks or after the pool saw Postgres go away (a hung server does not
 * close the socket), with a short backoff; each connect re-LISTENs and then calls every listener with `''`.
 */
export function pgNotifier(pg: PoolSource): PgNotifier {
  const listeners = new Map<string, Set<NotifyListener>>()
  const origin = crypto.randomUUID()
  let client: Client | undefined
  let connecting: Promise<void> | undefined
  let retry: NodeJS.Timeout | undefined
  let delay = RETRY_MIN_MS
  let closed = false
  let watching: (() => void) | undefined

  const deliver = (name: string, payload: string) => {
    for (const l of listeners.get(name) ?? []) {
      try {
        l(payload)
      } catch (err) {
        process.emitWarning(`a ${name} notice listener failed: ${(err as Error).message}`)
      }
    }
  }

  const drop = (c: Client) => {
    if (client !== c) return
    client = undefined
    c.removeAllListeners('notification')
    c.end().catch(() => undefined)
    schedule()
  }

  const schedule = () => {
    if (closed || retry || listeners.size === 0) return
    retry = setTimeout(() => {
      retry = undefined
      void connect()
    }, delay)
    retry.unref()
    delay = Math.min(delay * 2, RETRY_MAX_MS)
  }

  const connect = (): Promise<void> => {
    connecting ??= (async () => {
      const pool = pg.pool()
      if (closed || client || listeners.size === 0) return
      if (!pool?.available()) return schedule()
      if (!watching) {
        watching = pool.onChange((up) => {
          if (up) void connect()
          else if (client) drop(client)
        })
      }
      const pgModule = (await import('pg')).default
      const c = new pgModule.Client({ ...pool.pool.options, application_name: 'switchyard notify' })
      // A socket error while idle would otherwise be an unheard 'error' that ends the process.
      c.on('error', () => drop(c))
      c.on('end', () => drop(c))
      c.on('notification', (n) => deliver(n.channel, n.payload ?? ''))
      try {
        await c.connect()
        for (const name of listeners.keys()) await c.query(`LISTEN "${name}"`)
      } catch {
        c.removeAllListeners('notification')
        await c.end().catch(() => undefined)
        return schedule()
      }
      if (closed) {
        await c.end().catch(() => undefined)
        return
      }
      client = c
      delay = RETRY_MIN_MS
      for (const name of listeners.keys()) deliver(name, '')
    })().finally(() => {
      connecting = undefined
    })
    return connecting
  }

  return {
    origin,
    listen(channel, listener) {
      const name = channelName(channel)
      let set = listeners.get(name)
      if (!set) {
        set = new Set()
        listeners.set(name, set)
        const c = client
        if (c) {
          // A channel added to a live connection: its listeners re-read once LISTEN is in place, as on a connect.
          c.query(`LISTEN "${name}"`).then(
            () => deliver(name, ''),
            () => drop(c),
          )
        }
      }
      set.add(listener)
      if (!client) void connect()
      return () => {
        const s = listeners.get(name)
        if (!s?.delete(listener) || s.size > 0) return
        listeners.delete(name)
        client?.query(`UNLISTEN "${name}"`).catch(() => undefined)
      }
    },
    async notify(channel, payload) {
      const name = channelName(channel)
      if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
        throw new Error(`notify payload over ${MAX_PAYLOAD_BYTES} bytes`)
      const pool = pg.pool()
      if (!pool) throw new Error('Postgres is not open')
      await pool.query('SELECT pg_notify($1, $2)', [name, payload])
    },
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      retry = undefined
      watching?.()
      listeners.clear()
      await connecting
      const c = client
      client = undefined
      if (c) {
        c.removeAllListeners('notification')
        await c.end().catch(() => undefined)
      }
    },
  }
}
