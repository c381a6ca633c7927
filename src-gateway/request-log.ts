import { createGatewayMetrics, type GatewayMetrics } from './api/metrics.js'
import type { GatewayConfig } from './config/schema.js'
import { credentialValues } from './config/secret-fields.js'
import { createMemorySink, type LogEvent, type LogSink } from './core/log-event.js'
import { createPriceBook, type PriceBook } from './pricing/price-book.js'
import { type BodyCipher, BodyKeyError } from './store/body-cipher.js'
import type { Db } from './store/db.js'
import { createLogWriter, type LogWriter, type LogWriterOptions } from './store/log-writer.js'
import { DEFAULT_RETENTION, type RetentionPolicy, startRetention } from './store/retention.js'
import type { WriterEpisode } from './store/write-episodes.js'

/**
 * Where rows go and how the log is kept within its retention policy, when that is not the data folder's SQLite:
 * the shared Postgres (config `database`; server.ts builds it from store/pg/).
 */
export interface LogBackend {
  /** Its `flush` may answer a Promise (Postgres writes asynchronously): `RequestLog.flush` passes it on. */
  writer(options: LogWriterOptions): LogWriter & { flush(): void | Promise<void> }
  retention(policy: RetentionPolicy): { stop(): void }
}

/** Where every call's LogEvent goes, and what the admin API and /metrics read about them. */
export interface RequestLog {
  /** Counts each event for /metrics, then queues it for the database (or memory). */
  sink: LogSink
  /** The database writer (SQLite's, or the shared Postgres's); absent without one or when the caller supplied a sink. */
  writer?: LogWriter
  priceBook: PriceBook
  metrics: GatewayMetrics
  /**
   * Opens stored bodies: present whenever a body key is available, so rows sealed before
   * `logs.encryptBodies` was turned off still read.
   */
  cipher?: BodyCipher
  /** Whether `cipher` seals every stored body (`logs.encryptBodies`); what else is kept at rest should follow. */
  encryptsBodies: boolean
  /**
   * Writes queued rows now (tests, and before a read that must include the latest calls); with the shared
   * Postgres it resolves once they are written (or the write failed), so await it before such a read.
   */
  flush(): void | Promise<void>
  /**
   * Follows a config change: prices (providers however added, `pricing:`) apply to the next call, and
   * credentials added since start are stripped from stored rows too.
   */
  applyConfig(config: GatewayConfig): void
}

/**
 * Wires pricing, the batched writer, retention and metrics from config. Closing `sink` stops retention
 * and writes every queued row; the database itself is closed by its owner afterwards.
 */
export function createRequestLog(
  config: GatewayConfig,
  db: Db | undefined,
  sink?: LogSink,
  /** Also told of each priced row (key budgets keep their spend current from it). */
  onPriced?: (event: LogEvent, costUsd: number) => void,
  /** From `bodyCipherFor`: seals bodies when `logs.encryptBodies` is on, opens them either way. */
  cipher?: BodyCipher,
  /** Told once when the database starts refusing rows and once when it takes them again (alerts). */
  onWriterEpisode?: (episode: WriterEpisode) => void,
  /** The shared Postgres instead of `db` for the rows and their retention (`db` keeps the other stores). */
  backend?: LogBackend,
): RequestLog {
  const encryptsBodies = config.logs?.encryptBodies ?? false
  // Fail closed: encryption asked for and no cipher must never mean bodies stored in plain text.
  if (encryptsBodies && (db || backend) && !cipher)
    throw new BodyKeyError('logs.encryptBodies is on but no body cipher was given')
  const priceBook = createPriceBook(config)
  const metrics = createGatewayMetrics()
  const writerOptions = (): LogWriterOptions => ({
    priceBook,
    storeBodies: config.logs?.storeBodies ?? true,
    secrets: credentialValues(config),
    cipher: encryptsBodies ? cipher : undefined,
    maxQueueRows: config.logs?.maxQueueRows,
    onEpisode: onWriterEpisode,
    onPriced: onPriced
      ? (e, cost) => {
          metrics.addCost(e, cost)
          onPriced(e, cost)
        }
      : metrics.addCost,
  })
  const shared = sink ? undefined : backend?.writer(writerOptions())
  const writer: LogWriter | undefined = sink
    ? undefined
    : (shared ?? (db ? createLogWriter(db, writerOptions()) : undefined))
  const inner = sink ?? writer ?? createMemorySink()
  const policyOf = (c: GatewayConfig) => ({
    maxAgeDays: c.logs?.maxAgeDays ?? DEFAULT_RETENTION.maxAgeDays,
    maxDbMb: c.logs?.maxDbMb ?? DEFAULT_RETENTION.maxDbMb,
  })
  const keep: LogBackend['retention'] | undefined =
    backend?.retention ?? (db ? (p: RetentionPolicy) => startRetention(db, p) : undefined)
  let policy = policyOf(config)
  let retention = keep?.(policy)
  let closed = false
  // A changed retention policy applies at once: the old schedule stops and the new one runs a first pass soon.
  const applyRetention = (next: GatewayConfig) => {
    const p = policyOf(next)
    if (!keep || closed || (p.maxAgeDays === policy.maxAgeDays && p.maxDbMb === policy.maxDbMb)) return
    retention?.stop()
    policy = p
    retention = keep(policy)
  }
  const counted = metrics.wrap(inner)
  return {
    sink: {
      push: counted.push,
      async close() {
        closed = true
        retention?.stop()
        await counted.close()
      },
    },
    writer,
    priceBook,
    metrics,
    cipher,
    encryptsBodies,
    flush: () => (shared ? shared.flush() : writer?.flush()),
    applyConfig: (next) => {
      priceBook.applyConfig(next)
      writer?.setSecrets(credentialValues(next))
      applyRetention(next)
    },
  }
}
