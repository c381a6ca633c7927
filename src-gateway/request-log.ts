import { createGatewayMetrics, type GatewayMetrics } from './api/metrics.js'
import type { GatewayConfig } from './config/schema.js'
import { createMemorySink, type LogEvent, type LogSink } from './core/log-event.js'
import { createPriceBook, type PriceBook } from './pricing/price-book.js'
import { buildProviders } from './routing/providers.js'
import { configSecrets } from './store/body-scrub.js'
import type { Db } from './store/db.js'
import { createLogWriter, type LogWriter } from './store/log-writer.js'
import { DEFAULT_RETENTION, startRetention } from './store/retention.js'

/** Where every call's LogEvent goes, and what the admin API and /metrics read about them. */
export interface RequestLog {
  /** Counts each event for /metrics, then queues it for the database (or memory). */
  sink: LogSink
  /** The database writer; absent without a data dir or when the caller supplied its own sink. */
  writer?: LogWriter
  priceBook: PriceBook
  metrics: GatewayMetrics
  /** Writes queued rows now (tests, and before an export that must include the latest calls). */
  flush(): void
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
): RequestLog {
  const priceBook = createPriceBook(config, buildProviders(config))
  const metrics = createGatewayMetrics()
  const writer =
    db && !sink
      ? createLogWriter(db, {
          priceBook,
          storeBodies: config.logs?.storeBodies ?? true,
          secrets: configSecrets(config),
          onPriced: onPriced
            ? (e, cost) => {
                metrics.addCost(e, cost)
                onPriced(e, cost)
              }
            : metrics.addCost,
        })
      : undefined
  const inner = sink ?? writer ?? createMemorySink()
  const policy = {
    maxAgeDays: config.logs?.maxAgeDays ?? DEFAULT_RETENTION.maxAgeDays,
    maxDbMb: config.logs?.maxDbMb ?? DEFAULT_RETENTION.maxDbMb,
  }
  const retention = db ? startRetention(db, policy) : undefined
  const counted = metrics.wrap(inner)
  return {
    sink: {
      push: counted.push,
      async close() {
        retention?.stop()
        await counted.close()
      },
    },
    writer,
    priceBook,
    metrics,
    flush: () => writer?.flush(),
  }
}
