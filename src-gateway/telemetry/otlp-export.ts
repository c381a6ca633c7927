import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import type { GatewayConfig, TelemetryConfig } from '../config/schema.js'
import { credentialValues } from '../config/secret-fields.js'
import type { LogEvent, LogSink } from '../core/log-event.js'
import { VERSION } from '../version.js'
import { type CallFacts, providerInfo } from './call-facts.js'
import { callMetrics } from './call-metrics.js'
import { writeCallSpans } from './call-spans.js'

type OtlpConfig = NonNullable<TelemetryConfig['otlp']>

const DEFAULT_METRIC_INTERVAL_MS = 60_000
/** Spans wait at most this long in the batch before they are sent. */
const SPAN_BATCH_DELAY_MS = 1000
/** An export the collector does not answer is given up after this, so closing never hangs on it. */
const EXPORT_TIMEOUT_MS = 5000
/** How long closing waits for the last spans and metrics to be sent. */
const CLOSE_WAIT_MS = 2000
/**
 * Events waiting for the next turn of the event loop to become spans: a bound that a burst within one turn
 * cannot pass in practice, so memory stays bounded whatever happens.
 */
const MAX_PENDING = 10_000
/** A captured prompt or answer longer than this is cut (a 20 MB body would otherwise go out whole). */
const MAX_ATTRIBUTE_CHARS = 64 * 1024

/** What the exporter needs from the running gateway, read at export time so config changes apply. */
export interface TelemetryDeps {
  /** A provider's type and effective base URL (its adapter's default when the config gives none). */
  provider(id: string): { type: string; baseUrl: string } | undefined
  knownModel(provider: string, model: string): boolean
  costUsd(e: LogEvent): number | null
}

/** The exporter's few warnings, as the log writer's: a process warning of their own type. */
const emitTelemetryWarning = (message: string) => process.emitWarning(message, { type: 'SwitchyardTelemetry' })

/** One configured exporter: its providers, and what turns an event into spans and measurements. */
interface Export {
  record(e: LogEvent): void
  shutdown(): Promise<void>
}

/** An exporter's `export`, whose result callback is also told to `report`. */
interface Exporter {
  export(items: never, done: (result: ExportResult) => void): void
}
interface ExportResult {
  code: number
  error?: Error
}
const SUCCESS = 0

function watched<T extends Exporter>(exporter: T, report: (result: ExportResult) => void): T {
  const send = exporter.export.bind(exporter)
  exporter.export = (items, done) =>
    send(items, (result) => {
      report(result)
      done(result)
    })
  return exporter
}

/**
 * One warning when exports start failing (the collector is down, refuses the headers) and one when they
 * work again, with how many failed meanwhile: never one per batch.
 */
function exportHealth(endpoint: string, scrub: (text: string) => string) {
  let where = 'the OTLP endpoint'
  try {
    where = new URL(endpoint).origin
  } catch {
    // a reference that did not resolve: the endpoint is not named
  }
  let failed = 0
  return (result: ExportResult) => {
    if (result.code === SUCCESS) {
      if (failed > 0)
        emitTelemetryWarning(`OpenTelemetry export to ${where} works again (${failed} exports failed meanwhile)`)
      failed = 0
      return
    }
    if (failed++ === 0)
      emitTelemetryWarning(
        `OpenTelemetry export to ${where} is failing: ${scrub(result.error?.message ?? 'unknown error')}; ` +
          'spans and metrics are dropped until it works again',
      )
  }
}

function startExport(otlp: OtlpConfig, facts: CallFacts): Export {
  const report = exportHealth(otlp.endpoint, facts.scrub)
  const base = otlp.endpoint.replace(/\/+$/, '')
  const headers = otlp.headers ?? {}
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: otlp.serviceName ?? 'switchyard',
    [ATTR_SERVICE_VERSION]: VERSION,
  })
  const tracerProvider =
    otlp.traces === false
      ? undefined
      : new TracerProvider({
          resource,
          spanLimits: { attributeValueLengthLimit: MAX_ATTRIBUTE_CHARS },
          spanProcessors: [
            new BatchSpanProcessor({
              exporter: watched(
                new OTLPTraceExporter({ url: `${base}/v1/traces`, headers, timeoutMillis: EXPORT_TIMEOUT_MS }),
                report,
              ),
              scheduledDelayMillis: SPAN_BATCH_DELAY_MS,
              exportTimeoutMillis: EXPORT_TIMEOUT_MS,
            }),
          ],
        })
  const meterProvider =
    otlp.metrics === false
      ? undefined
      : new MeterProvider({
          resource,
          readers: [
            new PeriodicExportingMetricReader({
              exporter: new OTLPMetricExporter({
                url: `${base}/v1/metrics`,
                headers,
                timeoutMillis: EXPORT_TIMEOUT_MS,
              }),
              exportIntervalMillis: otlp.metricIntervalMs ?? DEFAULT_METRIC_INTERVAL_MS,
              exportTimeoutMillis: EXPORT_TIMEOUT_MS,
            }),
          ],
        })
  const tracer = tracerProvider?.getTracer('switchyard', VERSION)
  const measure = meterProvider && callMetrics(meterProvider.getMeter('switchyard', VERSION), facts)
  return {
    record(e) {
      if (tracer) writeCallSpans(tracer, e, facts)
      measure?.(e)
    },
    // Shutting down sends what is pending: the last spans, and one last collection of the metrics.
    // A collector that does not answer holds the gateway's close for CLOSE_WAIT_MS at most.
    async shutdown() {
      let timer: NodeJS.Timeout | undefined
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS)
        timer.unref()
      })
      await Promise.race([Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]), waited])
      clearTimeout(timer)
    },
  }
}

/** Replaces each configured secret in `text`, longest first (a secret can contain a shorter one). */
function scrubberFor(config: GatewayConfig): (text: string) => string {
  const secrets = credentialValues(config)
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const s of secrets) if (out.includes(s)) out = out.replaceAll(s, '[redacted]')
    return out
  }
}

/**
 * OpenTelemetry export of every call (`telemetry.otlp`): the log sink is wrapped so each finished call's
 * LogEvent is also turned into spans and measurements, after the call and outside its request: `push`
 * only queues the event, and the queue is drained on the next turn of the event loop. With no endpoint
 * configured, nothing is built and `push` adds one check to the writer's.
 */
export class Telemetry {
  private active: Export | undefined
  private key = ''
  private pending: LogEvent[] = []
  private draining = false
  private closed = false
  private scrub: (text: string) => string = (text) => text

  constructor(
    config: GatewayConfig,
    private readonly deps: TelemetryDeps,
  ) {
    this.apply(config)
  }

  /** Starts, stops or restarts the exporter to match `config.telemetry` (a live config change). */
  apply(config: GatewayConfig): void {
    if (this.closed) return
    // Every change: a provider key added later must not leave in an exported error either.
    this.scrub = scrubberFor(config)
    const otlp = config.telemetry?.otlp
    const key = otlp ? JSON.stringify(otlp) : ''
    if (key === this.key) return
    this.key = key
    const previous = this.active
    // Events queued under the old settings go out with them.
    this.drain()
    this.active = otlp?.endpoint ? startExport(otlp, this.factsFor(otlp)) : undefined
    void previous?.shutdown()
  }

  /** The sink the gateway pushes to: `inner` gets every event first; closing it also flushes the export. */
  wrap(inner: LogSink): LogSink {
    return {
      push: (e) => {
        inner.push(e)
        // GenAI spans and measurements describe model calls; a tool call through the MCP hub is not one.
        if (this.active && e.inboundApi !== 'mcp') this.enqueue(e)
      },
      close: async () => {
        await inner.close()
        await this.close()
      },
    }
  }

  /** Exports what is queued, then sends the pending spans and a last collection of metrics. */
  async close(): Promise<void> {
    if (this.closed) return
    this.drain()
    this.closed = true
    const last = this.active
    this.active = undefined
    await last?.shutdown()
  }

  private enqueue(e: LogEvent): void {
    if (this.pending.length >= MAX_PENDING) return
    this.pending.push(e)
    if (!this.draining) {
      this.draining = true
      setImmediate(() => this.drain())
    }
  }

  private drain(): void {
    this.draining = false
    const events = this.pending
    this.pending = []
    for (const e of events) {
      try {
        this.active?.record(e)
      } catch {
        // An event the exporter cannot describe is skipped; the call itself was logged already.
      }
    }
  }

  private factsFor(otlp: OtlpConfig): CallFacts {
    return {
      provider: (id) => {
        const p = this.deps.provider(id)
        return p && providerInfo(p.type, p.baseUrl)
      },
      knownModel: this.deps.knownModel,
      costUsd: this.deps.costUsd,
      scrub: (text) => this.scrub(text),
      captureContent: otlp.captureContent === true,
    }
  }
}
