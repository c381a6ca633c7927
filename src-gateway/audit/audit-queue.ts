import { DatabaseUnavailableError } from '../core/database-unavailable.js'
import type { AuditStore, NewAuditEntry } from './audit-store.js'

/** Entries kept while the shared database is unreachable: an outage of hours in a busy team, not more. */
const MAX_QUEUED = 2000
const MAX_QUEUED_BYTES = 4 * 1024 * 1024
/** How often the queued entries are tried again while the database is away. */
const RETRY_MS = 1000
/** An entry the database refuses for itself (not an outage) is tried this often, then dropped with a warning. */
const MAX_ATTEMPTS = 3
/** Provisional ids of stored entries kept for late amendments (a failed sign-in counts up for a minute). */
const MAX_REMEMBERED = 1000

export interface AuditQueueOptions {
  warn?: (message: string) => void
  maxEntries?: number
  maxBytes?: number
  retryMs?: number
}

/** An AuditStore that keeps entries through an outage of the shared database; `close` tries once more. */
export interface QueuedAuditStore extends AuditStore {
  close(): Promise<void>
}

interface Queued {
  /** Negative, so no stored id can be taken for it: the id `insert` answered while the entry waited. */
  provisional: number
  entry: NewAuditEntry & { createdAt: string }
  bytes: number
  attempts: number
  id?: number
}

/**
 * The audit trail in the shared Postgres (config `database`), kept through its outages: an admin change made while
 * Postgres is down is still made (the audit write never fails the change), so its entry waits in memory, stamped
 * with the change's time, and is stored in order, once, when Postgres answers again. The queue is bounded by count
 * and bytes; past either the oldest entries go, and a warning says how many. Reads (GET /admin/v1/audit) store the
 * waiting entries first and answer 503 while the database is down, as before.
 */
export function queuedAuditStore(inner: AuditStore, opts: AuditQueueOptions = {}): QueuedAuditStore {
  const warn = opts.warn ?? ((m: string) => process.emitWarning(m))
  const maxEntries = opts.maxEntries ?? MAX_QUEUED
  const maxBytes = opts.maxBytes ?? MAX_QUEUED_BYTES
  const retryMs = opts.retryMs ?? RETRY_MS
  const queue: Queued[] = []
  const stored = new Map<number, number>()
  let bytes = 0
  let dropped = 0
  let nextProvisional = -1
  let timer: NodeJS.Timeout | undefined
  let closed = false
  /** The drain storing now: drains run one after another, so entries are stored in the order made. */
  let draining: Promise<void> = Promise.resolve()

  const sizeOf = (e: NewAuditEntry) => Buffer.byteLength(JSON.stringify(e))
  const schedule = () => {
    if (timer || closed || queue.length === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void drain()
    }, retryMs)
    timer.unref()
  }
  const remember = (provisional: number, id: number) => {
    if (stored.size >= MAX_REMEMBERED) stored.delete(stored.keys().next().value as number)
    stored.set(provisional, id)
  }

  const enqueue = (entry: Queued['entry']): Queued => {
    if (queue.length === 0) warn('audit entries wait in memory until the shared database answers again')
    const q: Queued = { provisional: nextProvisional--, entry, bytes: sizeOf(entry), attempts: 0 }
    queue.push(q)
    bytes += q.bytes
    while (queue.length > maxEntries || (bytes > maxBytes && queue.length > 1)) {
      const oldest = queue.shift() as Queued
      bytes -= oldest.bytes
      if (dropped === 0) warn(`the audit queue is full (${maxEntries} entries, ${maxBytes} bytes): the oldest go`)
      dropped++
    }
    schedule()
    return q
  }

  const storeQueued = async () => {
    while (queue.length > 0) {
      const q = queue[0]
      try {
        q.id = await inner.insert(q.entry)
      } catch (err) {
        q.attempts++
        // The outage: everything waits, in order. Anything else is this entry's own fault: it must not hold back
        // the ones behind it for ever.
        if (err instanceof DatabaseUnavailableError || q.attempts < MAX_ATTEMPTS) {
          schedule()
          return
        }
        warn(`an audit entry (${q.entry.action}) could not be stored and is dropped: ${(err as Error).message}`)
        q.id = 0
      }
      queue.shift()
      bytes -= q.bytes
      remember(q.provisional, q.id)
    }
    if (dropped > 0) {
      warn(`${dropped} audit ${dropped === 1 ? 'entry was' : 'entries were'} dropped while the database was away`)
      dropped = 0
    }
  }
  const drain = () => {
    draining = draining.then(storeQueued)
    return draining
  }

  return {
    async insert(e) {
      const entry = { ...e, createdAt: e.createdAt ?? new Date().toISOString() }
      // The waiting ones first: the database may be back, and a full queue must not drop one for this entry.
      if (queue.length > 0) await drain()
      if (queue.length === 0) {
        try {
          return await inner.insert(entry)
        } catch (err) {
          if (!(err instanceof DatabaseUnavailableError) || closed) throw err
        }
      }
      // Behind the waiting ones, so the list keeps the order the changes were made in.
      const q = enqueue(entry)
      await drain()
      return q.id ?? q.provisional
    },
    async list(filter, page) {
      await drain()
      return inner.list(filter, page)
    },
    async amend(id, diff) {
      if (id >= 0) return inner.amend(id, diff)
      const waiting = queue.find((q) => q.provisional === id)
      if (waiting) {
        waiting.entry = { ...waiting.entry, diff }
        bytes += sizeOf(waiting.entry) - waiting.bytes
        waiting.bytes = sizeOf(waiting.entry)
        return
      }
      const real = stored.get(id)
      if (real) await inner.amend(real, diff)
    },
    async close() {
      closed = true
      clearTimeout(timer)
      timer = undefined
      await drain()
      if (queue.length > 0) {
        warn(`${queue.length} audit ${queue.length === 1 ? 'entry' : 'entries'} could not be stored before the stop`)
      }
    },
  }
}
