import type { LogEvent, LogSink } from '../core/log-event.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import type { BodyCipher } from './body-cipher.js'
import type { Db } from './db.js'
import { createLogStore, hasBody, type LogStore } from './log-writer-store.js'
import { type LogThread, LogThreadStopped, startLogThread, type WriteDone } from './log-writer-thread.js'
import { emitWriterWarning, plural, type WriterEpisode, writeEpisodes } from './write-episodes.js'

// The Postgres writer (pg/log-writer.ts) maps rows with the same code.
export { COLUMNS, hasBody, toRow } from './log-writer-store.js'

export interface LogWriterOptions {
  /** Flush when this many rows are queued; also the most rows one transaction writes. */
  maxRows?: number
  /** Flush at most this long after the first queued row. */
  flushMs?: number
  /** Prices each row at flush time, so the request path never pays for the price lookup. */
  priceBook?: PriceBook
  /** Store request and response bodies; default true. */
  storeBodies?: boolean
  /** Configured secrets to strip from stored bodies and error messages wherever they appear. */
  secrets?: Iterable<string>
  /** Seals stored bodies (config `logs.encryptBodies`); sealing happens at flush time, off the request path. */
  cipher?: BodyCipher
  /** Called once for each written row that has a price, so counters of spend need no query. */
  onPriced?: (event: LogEvent, costUsd: number) => void
  /**
   * Most rows held in memory while writes fail (config `logs.maxQueueRows`). Past a tenth of it, the
   * oldest queued rows lose their bodies; past all of it, the oldest rows are dropped. Both are counted.
   */
  maxQueueRows?: number
  /** How long `close()` keeps retrying a failing write before it gives the rows up (and says how many). */
  closeGraceMs?: number
  /** Told when writes start failing and when they work again: once each per episode (alerts). */
  onEpisode?: (episode: WriterEpisode) => void
  /** Where the writer's few warnings go; default `process.emitWarning` as a `SwitchyardLogWriter` warning. */
  warn?: (message: string) => void
  /**
   * Write in a worker thread with its own connection: `true` from the start, `false` never; by default once a
   * flush holds BUSY_BATCH_ROWS rows, when the database is a file and bodies are not sealed (the cipher's key
   * stays on this thread). An in-memory database is always written here.
   */
  thread?: boolean
  /** The worker's entry (tests give one that fails); default the log-writer-worker module beside this one. */
  threadEntry?: () => URL
}

export interface WriterStats {
  /** Rows written so far. */
  written: number
  /** Rows waiting in memory. */
  pending: number
  /** Flushes that failed and were tried again later. */
  retries: number
  /** Rows never written: over `maxQueueRows` while writes failed, left at shutdown, or after the database closed. */
  dropped: number
  /** Rows written (or still queued) without their bodies, to keep the queue small while writes failed. */
  bodiesDropped: number
  /** Whether the last write failed. */
  failing: boolean
}

export interface LogWriter extends LogSink {
  /** Writes everything queued now (unless a write fails: then the rows stay queued for the next try). */
  flush(): void
  stats(): WriterStats
  /** Replaces the secrets to strip, e.g. after a key was added through the admin API. */
  setSecrets(secrets: Iterable<string>): void
}

/** Sized for about a minute of a busy gateway (~800 calls a second) before rows are dropped. */
export const DEFAULT_MAX_QUEUE_ROWS = 50_000
/** How long `close()` keeps retrying by default (the Postgres writer's too). */
export const DEFAULT_CLOSE_GRACE_MS = 5_000

/**
 * A flush this big (500 calls a second at the default flushMs) starts the worker thread: below it, writing
 * here takes a few milliseconds every flushMs, less than the thread's memory (a V8 isolate, ~20 MB) is worth.
 */
const BUSY_BATCH_ROWS = 100

/**
 * Batched SQLite writer: the request path only appends to an array; rows are priced and written in
 * transactions of at most `maxRows` every `flushMs`, or at once when that many are queued. A failed write
 * keeps its rows and is tried again after a backoff (100 ms doubling to 30 s), never once per new row;
 * meanwhile the queue is bounded by `maxQueueRows` (bodies of the oldest rows go first, then the oldest
 * rows) and each episode is told once when it starts and once when it ends. `close()` keeps trying for
 * `closeGraceMs`, then names how many rows it could not write; a row pushed after close is written at once.
 * Once a flush holds BUSY_BATCH_ROWS rows, batches are written by a worker thread on its own connection
 * (log-writer-thread.ts); `flush()` still returns only once they are readable here.
 */
export function createLogWriter(db: Db, options: LogWriterOptions = {}): LogWriter {
  const { maxRows = 500, flushMs = 200, priceBook, storeBodies = true, onPriced, cipher, onEpisode } = options
  const { maxQueueRows = DEFAULT_MAX_QUEUE_ROWS, closeGraceMs = DEFAULT_CLOSE_GRACE_MS } = options
  const warn = options.warn ?? emitWriterWarning
  // Bodies are most of a queued row's memory: only the newest tenth of a full queue keeps them.
  const maxBodies = Math.max(1, Math.floor(maxQueueRows / 10))
  // A full batch is written at once, and so is a queue at its cap (a small cap never drops before a write fails).
  const flushAt = Math.min(maxRows, maxQueueRows)
  let secrets = [...(options.secrets ?? [])]
  // The inserts, the search index and the rollups are most of a flush's cost: in a worker, they leave the
  // thread that serves calls (which then only clones the batch into one message). Whether rows may go there;
  // false for good once a worker could not run.
  let threadable = (options.thread ?? !cipher) && !db.memory
  const startThread = () => startLogThread(db.name, { storeBodies, secrets }, options.threadEntry)
  let thread: LogThread | undefined = threadable && options.thread === true ? startThread() : undefined
  let local: LogStore | undefined
  /** This connection's store: for quiet flushes, in-memory databases, sealed bodies, and rows pushed after close. */
  const here = (): LogStore => {
    local ??= createLogStore(db, { storeBodies, secrets, cipher })
    return local
  }
  const priceOf = (e: LogEvent): number | null => (priceBook ? eventCost(priceBook, e) : null)
  /** Writes a batch here (`done` runs before this returns) or posts it to the worker. */
  const send = (batch: LogEvent[], costs: (number | null)[], done: WriteDone) => {
    if (!thread && threadable && batch.length >= BUSY_BATCH_ROWS && phase === 'open') thread = startThread()
    if (thread) {
      return thread.write(batch, costs, (err) => {
        if (!(err instanceof LogThreadStopped)) return done(err)
        // A thread that cannot run (a broken install, a crash) must not cost the log: this connection takes over.
        warn(`request log: ${err.message}; rows are written on the gateway's own thread from now on`)
        thread = undefined
        threadable = false
        send(batch, costs, done)
      })
    }
    try {
      here().write(batch, costs)
    } catch (err) {
      return done(err as Error)
    }
    done()
  }

  const queue: LogEvent[] = []
  /** Queued rows before this index have had their bodies taken off (or never had any). */
  let bareUpTo = 0
  /** Queued rows from `bareUpTo` on that still hold a body. */
  let bodied = 0
  /** The batch being written (by the worker: until its answer), out of the queue; back at its front if it fails. */
  let inFlight: LogEvent[] = []
  /** Whether more rows were due while a batch was in flight: the next batch then goes at once. */
  let again = false
  let timer: NodeJS.Timeout | undefined
  let written = 0
  let dropped = 0
  let bodiesDropped = 0
  const episodes = writeEpisodes({ warn, onEpisode, maxQueueRows })
  /** 'closing' while close() retries within its grace period; 'closed' after. */
  let phase: 'open' | 'closing' | 'closed' = 'open'

  /** Whether the pending timer is the immediate one a full batch asks for. */
  let soon = false
  const schedule = (ms: number) => {
    clearTimeout(timer)
    soon = ms === 0
    timer = setTimeout(flushChunk, ms)
    timer.unref()
  }
  const unschedule = () => {
    clearTimeout(timer)
    timer = undefined
    soon = false
  }

  /** Takes `n` rows off the front of the queue. */
  const take = (n: number): LogEvent[] => {
    const batch = queue.splice(0, n)
    for (let i = bareUpTo; i < batch.length; i++) if (hasBody(batch[i])) bodied--
    bareUpTo = Math.max(0, bareUpTo - batch.length)
    return batch
  }
  /** Puts a batch that was not written back at the front of the queue, bodies counted again. */
  const putBack = (batch: LogEvent[]) => {
    queue.unshift(...batch)
    // Rows before the old `bareUpTo` have no bodies, so counting from 0 only adds the batch's.
    bareUpTo = 0
    for (const e of batch) if (hasBody(e)) bodied++
  }

  // Never thrown: flushes run from timers and from the end of calls, where an exception would go uncaught.
  const drop = (batch: LogEvent[]) => {
    dropped += batch.length
    const ids = batch.map((e) => e.requestId).join(', ')
    warn(`request log database is closed; ${plural(batch.length, 'row', 'rows')} not written: ${ids}`)
  }

  /** Keeps the queue within its caps (reached only while writes fail): oldest bodies first, then the oldest rows. */
  const bound = () => {
    while (bodied > maxBodies && bareUpTo < queue.length) {
      const e = queue[bareUpTo]
      if (hasBody(e)) {
        queue[bareUpTo] = { ...e, requestBody: undefined, responseBody: undefined }
        bodied--
        bodiesDropped++
      }
      bareUpTo++
    }
    if (queue.length <= maxQueueRows) return
    // A hundredth at a time, so a full queue does not move every row on every push.
    dropped += take(queue.length - maxQueueRows + Math.ceil(maxQueueRows / 100)).length
  }

  const failed = (err: unknown) => {
    const wait = episodes.failed(err)
    if (phase === 'open') schedule(wait)
  }

  /**
   * Starts writing up to `maxRows` rows in one transaction; `after` is told whether they were written (at once
   * on this thread, on a later turn from the worker). Nothing to write, or a closed database, tells it false.
   */
  const startChunk = (after: (ok: boolean) => void) => {
    if (queue.length === 0) return after(false)
    if (!db.open) {
      drop(take(queue.length))
      return after(false)
    }
    again = queue.length > maxRows
    const costs = queue.slice(0, maxRows).map(priceOf)
    const batch = take(costs.length)
    inFlight = batch
    send(batch, costs, (err) => {
      inFlight = []
      if (err) {
        putBack(batch)
        if (bodied > maxBodies || queue.length > maxQueueRows) bound()
        if (!db.open) {
          drop(take(queue.length))
          return after(false)
        }
        failed(err)
        return after(false)
      }
      written += batch.length
      episodes.recovered({ dropped, bodiesDropped })
      if (onPriced) for (const [i, e] of batch.entries()) if (costs[i] !== null && !e.isCacheHit) onPriced(e, costs[i]!)
      after(true)
    })
  }

  /** Writes one chunk before returning (waiting for the worker's answer); false when nothing was written. */
  const writeChunk = (): boolean => {
    let ok: boolean | undefined
    startChunk((written) => {
      ok = written
    })
    if (ok === undefined) thread?.settle()
    return ok ?? false
  }

  /** A timer's flush: one transaction, then the rest on later turns, so a backlog never blocks the loop. */
  function flushChunk() {
    unschedule()
    if (inFlight.length > 0) {
      again = true
      return
    }
    startChunk((ok) => {
      if (ok && again && queue.length > 0) schedule(0)
    })
  }

  const flushAll = () => {
    unschedule()
    thread?.settle()
    while (writeChunk());
  }

  /** Gives up what is still queued at (or after) shutdown, saying how many rows and why. */
  const giveUp = () => {
    const lost = take(queue.length).length
    dropped += lost
    warn(
      `request log: ${plural(lost, 'row', 'rows')} could not be written at shutdown (${episodes.error ?? 'database closed'}); they are lost`,
    )
  }

  return {
    push(e) {
      queue.push(e)
      if (hasBody(e)) bodied++
      if (bodied > maxBodies || queue.length > maxQueueRows) bound()
      if (phase === 'closed') {
        flushAll()
        if (queue.length > 0) giveUp()
        return
      }
      if (episodes.failing) return
      if (phase === 'closing') return
      if (queue.length >= flushAt) {
        if (!soon) schedule(0)
      } else if (!timer) schedule(flushMs)
    },
    flush: flushAll,
    async close() {
      if (phase !== 'open') return
      phase = 'closing'
      const deadline = Date.now() + closeGraceMs
      flushAll()
      while (queue.length > 0 && db.open && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(episodes.retryMs, deadline - Date.now())))
        flushAll()
      }
      phase = 'closed'
      if (queue.length > 0) giveUp()
      // A row pushed from now on is written at once on this thread, while its owner keeps the database open.
      const ending = thread
      thread = undefined
      await ending?.close()
    },
    stats: () => ({
      written,
      pending: queue.length + inFlight.length,
      retries: episodes.retries,
      dropped,
      bodiesDropped,
      failing: episodes.failing,
    }),
    setSecrets(next) {
      secrets = [...next]
      thread?.setSecrets(secrets)
      local?.setSecrets(secrets)
    },
  }
}
