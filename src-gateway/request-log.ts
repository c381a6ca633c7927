import { createGatewayMetrics, type GatewayMetrics } from './api/metrics.js'
import type { GatewayConfig } from './config/schema.js'
import { credentialValues } from './config/secret-fields.js'
import { createMemorySink, type LogEvent, type LogSink } from './core/log-event.js'
import { createPriceBook, type PriceBook } from './pricing/price-book.js'
import { type BodyCipher, BodyKeyError } from './store/body-cipher.js'
import type { Db } from './store/db.js'
import { createLogWriter, type LogWriter, type WriterEpisode } from './store/log-writer.js'
import { DEFAULT_RETENTION, startRetention } from './store/retention.js'

/** Where every call's LogEvent goes, and what the admin API and /metrics read about them. */
export interface RequestLog {
  /** Counts each event for /metrics, then queues it for the database (or memory). */
  sink: LogSink
  /** The database writer; absent without a data dir or when the caller supplied its own sink. */
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
  /** Writes queued rows now (tests, and before an export that must include the latest calls). */
  flush(): void
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
): RequestLog {
  const encryptsBodies = config.logs?.encryptBodies ?? false
  // Fail closed: encryption asked for and no cipher must never mean bodies stored in plain text.
  if (encryptsBodies && db && !cipher) throw new BodyKeyError('logs.encryptBodies is on but no body cipher was given')
  const priceBook = createPriceBook(config)
  const metrics = createGatewayMetrics()
  const writer =
    db && !sink
      ? createLogWriter(db, {
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
      : undefined
  const inner = sink ?? writer ?? createMemorySink()
  const policyOf = (c: GatewayConfig) => ({
    maxAgeDays: c.logs?.maxAgeDays ?? DEFAULT_RETENTION.maxAgeDays,
    maxDbMb: c.logs?.maxDbMb ?? DEFAULT_RETENTION.maxDbMb,
  })
  let policy = policyOf(config)
  let retention = db ? startRetention(db, policy) : undefined
  let closed = false
  // A changed retention policy applies at once: the old schedule stops and the new one runs a first pass soon.
  const applyRetention = (next: GatewayConfig) => {
    const p = policyOf(next)
    if (!db || closed || (p.maxAgeDays === policy.maxAgeDays && p.maxDbMb === policy.maxDbMb)) return
    retention?.stop()
    policy = p
    retention = startRetention(db, policy)
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
    flush: () => writer?.flush(),
    applyConfig: (next) => {
      priceBook.applyConfig(next)
      writer?.setSecrets(credentialValues(next))
      applyRetention(next)
    },
  }
}
