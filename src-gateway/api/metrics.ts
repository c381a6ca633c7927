import v8 from 'node:v8'
import type { FastifyInstance } from 'fastify'
import type { LogEvent, LogSink } from '../core/log-event.js'
import type { BreakerRegistry, CircuitState } from '../routing/breaker.js'
import { isKnownModel, OTHER_MODEL } from '../routing/resolve.js'
import type { WriterStats } from '../store/log-writer.js'

const LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
const TTFT_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]

const NEEDS_ESCAPE = /[\\"\n]/

function escapeLabel(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v
  return v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')
}

// Label sets are kept as the text they are written with (`provider="x",model="y"`, without braces), built
// by concatenation on the request path: no objects per call, and rendering only adds the braces.

/** Counter family: values by label text. */
class Counter {
  readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: string, by = 1) {
    this.values.set(labels, (this.values.get(labels) ?? 0) + by)
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`
    for (const [labels, v] of this.values) out += `${this.name}{${labels}} ${v}\n`
    return out
  }
}

class Histogram {
  readonly series = new Map<string, { counts: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(labels: string, value: number) {
    let s = this.series.get(labels)
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }
      this.series.set(labels, s)
    }
    // Cumulative buckets are summed at render time; here each value lands in its first bucket only.
    const i = this.buckets.findIndex((b) => value <= b)
    if (i >= 0) s.counts[i]++
    s.sum += value
    s.count++
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`
    for (const [labels, { counts, sum, count }] of this.series) {
      let cumulative = 0
      for (const [i, le] of this.buckets.entries()) {
        cumulative += counts[i]
        out += `${this.name}_bucket{${labels},le="${le}"} ${cumulative}\n`
      }
      out += `${this.name}_bucket{${labels},le="+Inf"} ${count}\n`
      out += `${this.name}_sum{${labels}} ${sum}\n${this.name}_count{${labels}} ${count}\n`
    }
    return out
  }
}

/** One provider/model pair's label texts. */
interface Series {
  base: string
  /** `base` with each status seen (a handful: 200, 429, 502…). */
  withStatus: Map<number, string>
  input: string
  output: string
  cached: string
  reasoning: string
}

/** What /metrics reads of the MCP hub (mcp/hub.ts): each configured server's name, state and listed tools. */
export interface McpStatusSource {
  status(): { name: string; state: string; tools: { name: string }[] }[]
}

/**
 * Tool-call series kept apart at most: past this many server/tool pairs, further pairs count under tool `other`.
 * Tool names come from upstream servers, which may list any number of them.
 */
const MAX_MCP_SERIES = 500
const OTHER = 'other'

export interface GatewayMetrics {
  /** A sink that counts each event, then hands it on: the only place counters change on the request path. */
  wrap(sink: LogSink): LogSink
  /** Adds a row's price once the log writer has computed it (off the request path). */
  addCost(event: LogEvent, costUsd: number): void
  /** Prometheus text exposition (format 0.0.4). */
  render(writer?: WriterStats): string
  /**
   * Which provider/model pairs get a series of their own; the others are counted under model `other`.
   * Until set, every pair is kept (unit tests of the counters).
   */
  keepSeriesFor(isKnown: (provider: string, model: string) => boolean): void
  /**
   * Which MCP servers and tools get a series of their own: a call to a server the hub does not have counts under
   * server `other`, to a tool the server does not list under tool `other` (a client may call any name). Until
   * set, every pair is kept, up to MAX_MCP_SERIES.
   */
  keepMcpSeriesFor(isKnown: { server(name: string): boolean; tool(server: string, tool: string): boolean }): void
}

/** In-memory Prometheus counters, so a scrape never queries the database. */
export function createGatewayMetrics(): GatewayMetrics {
  const requests = new Counter('switchyard_requests_total', 'Calls through the gateway, by provider, model and status.')
  const errors = new Counter('switchyard_request_errors_total', 'Calls that ended with a status of 400 or more.')
  const tokens = new Counter('switchyard_tokens_total', 'Tokens by provider, model and type (input includes cached).')
  const cost = new Counter(
    'switchyard_cost_usd_total',
    'Spend in USD by provider and model, priced when rows are written.',
  )
  const latency = new Histogram('switchyard_request_duration_seconds', 'Total call latency.', LATENCY_BUCKETS_S)
  const ttft = new Histogram(
    'switchyard_time_to_first_token_seconds',
    'Time to the first streamed token.',
    TTFT_BUCKETS_S,
  )

  const mcpCalls = new Counter(
    'switchyard_mcp_tool_calls_total',
    'MCP calls through the hub, by server, tool and status (200 with an error: the result said isError).',
  )
  const mcpErrors = new Counter(
    'switchyard_mcp_tool_call_errors_total',
    'MCP calls that failed: refused, unknown, upstream error or timeout, cancelled, or a result with isError.',
  )
  let mcpKnown = { server: (_s: string) => true, tool: (_s: string, _t: string) => true }
  const mcpText = new Map<string, { server: string; pair: string }>()
  const mcpSeries = (e: LogEvent) => {
    const server = e.provider ?? ''
    const tool = e.model ?? ''
    const key = `${server}\u0000${tool}`
    let text = mcpText.get(key)
    if (text === undefined) {
      const serverText = mcpKnown.server(server) ? `server="${escapeLabel(server)}"` : `server="${OTHER}"`
      if (serverText === `server="${OTHER}"`) return { server: serverText, pair: `${serverText},tool="${OTHER}"` }
      if (mcpText.size >= MAX_MCP_SERIES || !mcpKnown.tool(server, tool))
        return { server: serverText, pair: `${serverText},tool="${OTHER}"` }
      text = { server: serverText, pair: `${serverText},tool="${escapeLabel(tool)}"` }
      mcpText.set(key, text)
    }
    return text
  }
  const observeMcp = (e: LogEvent) => {
    const { server, pair } = mcpSeries(e)
    mcpCalls.inc(`${pair},status="${e.status}"`)
    if (e.status >= 400 || e.error !== undefined) mcpErrors.inc(server)
  }

  // One provider/model pair's label texts, escaped and joined once: each call then counts with strings whose hash
  // V8 has already computed (building `…,status="200"` and hashing it anew on every call was most of the cost).
  // Only known pairs are remembered: an invented model name folds into `other` and leaves nothing behind.
  let isKnown = (_provider: string, _model: string) => true
  const seriesOf = new Map<string, Map<string, Series>>()
  const newSeries = (provider: string, model: string): Series => {
    const base = `provider="${escapeLabel(provider)}",model="${escapeLabel(model)}"`
    return {
      base,
      withStatus: new Map(),
      input: `${base},type="input"`,
      output: `${base},type="output"`,
      cached: `${base},type="cached"`,
      reasoning: `${base},type="reasoning"`,
    }
  }
  const series = (e: LogEvent): Series => {
    const provider = e.provider ?? ''
    const model = e.model ?? ''
    let byModel = seriesOf.get(provider)
    let found = byModel?.get(model)
    if (found === undefined) {
      // A call that never reached a target (unknown name, refused by a policy) has neither label.
      if (provider !== '' && !isKnown(provider, model)) return newSeries(provider, OTHER_MODEL)
      found = newSeries(provider, model)
      if (!byModel) {
        byModel = new Map()
        seriesOf.set(provider, byModel)
      }
      byModel.set(model, found)
    }
    return found
  }
  const observe = (e: LogEvent) => {
    // A tool call is not a model request: it has its own families, and none of the model ones.
    if (e.inboundApi === 'mcp') return observeMcp(e)
    const s = series(e)
    let withStatus = s.withStatus.get(e.status)
    if (withStatus === undefined) {
      withStatus = `${s.base},status="${e.status}"`
      s.withStatus.set(e.status, withStatus)
    }
    requests.inc(withStatus)
    if (e.status >= 400) errors.inc(withStatus)
    if (e.inputTokens) tokens.inc(s.input, e.inputTokens)
    if (e.outputTokens) tokens.inc(s.output, e.outputTokens)
    if (e.cachedTokens) tokens.inc(s.cached, e.cachedTokens)
    if (e.reasoningTokens) tokens.inc(s.reasoning, e.reasoningTokens)
    latency.observe(s.base, e.latencyMs / 1000)
    if (e.ttftMs !== undefined) ttft.observe(s.base, e.ttftMs / 1000)
  }

  return {
    wrap(sink) {
      return {
        push(e) {
          try {
            observe(e)
          } catch {
            // Counting must never cost the row: the event still goes to the sink.
          }
          sink.push(e)
        },
        close: () => sink.close(),
      }
    },
    addCost(e, usd) {
      if (e.inboundApi !== 'mcp') cost.inc(series(e).base, usd)
    },
    keepSeriesFor(known) {
      isKnown = known
    },
    keepMcpSeriesFor(known) {
      mcpKnown = known
    },
    render(writer) {
      let out = [requests, errors, tokens, cost, latency, ttft, mcpCalls, mcpErrors].map((m) => m.render()).join('')
      if (writer) {
        out +=
          '# HELP switchyard_log_queue_depth Log rows waiting to be written.\n# TYPE switchyard_log_queue_depth gauge\n' +
          `switchyard_log_queue_depth ${writer.pending}\n` +
          '# HELP switchyard_log_rows_written_total Log rows written to the database.\n' +
          `# TYPE switchyard_log_rows_written_total counter\nswitchyard_log_rows_written_total ${writer.written}\n` +
          '# HELP switchyard_log_flush_retries_total Log flushes that failed and were tried again after a backoff.\n' +
          `# TYPE switchyard_log_flush_retries_total counter\nswitchyard_log_flush_retries_total ${writer.retries}\n` +
          '# HELP switchyard_log_rows_dropped_total Log rows never written: over logs.maxQueueRows while writes failed, or left at shutdown.\n' +
          `# TYPE switchyard_log_rows_dropped_total counter\nswitchyard_log_rows_dropped_total ${writer.dropped}\n` +
          '# HELP switchyard_log_bodies_dropped_total Log rows written without their bodies to keep the queue small while writes failed.\n' +
          `# TYPE switchyard_log_bodies_dropped_total counter\nswitchyard_log_bodies_dropped_total ${writer.bodiesDropped}\n` +
          '# HELP switchyard_log_writes_failing 1 while the request log cannot write to its database.\n' +
          `# TYPE switchyard_log_writes_failing gauge\nswitchyard_log_writes_failing ${writer.failing ? 1 : 0}\n`
      }
      return out
    },
  }
}

/** GET /metrics: Prometheus text, from memory only. */
export function registerMetrics(
  app: FastifyInstance,
  metrics: GatewayMetrics,
  writer?: { stats(): WriterStats },
  breakers?: BreakerRegistry,
  /** Families kept by other parts of the gateway (alerts), already in Prometheus text. */
  more?: () => string,
): void {
  // Read through `app.gateway` at each call: a config change updates its routes and providers in place.
  metrics.keepSeriesFor((provider, model) => isKnownModel(app.gateway, provider, model))
  // The MCP hub (server.ts decorates it; absent in a gateway built without one) follows config changes itself.
  const hub = () => (app as unknown as { mcpHub?: McpStatusSource }).mcpHub
  metrics.keepMcpSeriesFor({
    server: (name) =>
      hub()
        ?.status()
        .some((s) => s.name === name) ?? false,
    tool: (server, tool) =>
      hub()
        ?.status()
        .find((s) => s.name === server)
        ?.tools.some((t) => t.name === tool) ?? false,
  })
  app.get('/metrics', (_req, reply) => {
    const mcpHub = hub()
    const text =
      metrics.render(writer?.stats()) +
      (breakers ? renderBreakers(breakers) : '') +
      (mcpHub ? renderMcpServers(mcpHub) : '') +
      (more?.() ?? '') +
      renderProcess()
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(text)
  })
}

/** Each V8 heap space's committed and used bytes (prom-client's families): shows the young generation's cap. */
function heapSpaces(): string {
  let total =
    '# HELP nodejs_heap_space_size_total_bytes Committed size of each V8 heap space.\n' +
    '# TYPE nodejs_heap_space_size_total_bytes gauge\n'
  let used =
    '# HELP nodejs_heap_space_size_used_bytes Used size of each V8 heap space.\n' +
    '# TYPE nodejs_heap_space_size_used_bytes gauge\n'
  for (const s of v8.getHeapSpaceStatistics()) {
    const space = s.space_name.replace(/_space$/, '')
    total += `nodejs_heap_space_size_total_bytes{space="${space}"} ${s.space_size}\n`
    used += `nodejs_heap_space_size_used_bytes{space="${space}"} ${s.space_used_size}\n`
  }
  return total + used
}

/** The usual process gauges (the names prom-client uses), so memory and CPU sit beside the gateway's own. */
function renderProcess(): string {
  const mem = process.memoryUsage()
  const cpu = process.cpuUsage()
  const gauge = (name: string, help: string, type: string, value: number) =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`
  return (
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', mem.rss) +
    gauge('nodejs_heap_size_total_bytes', 'V8 heap size in bytes.', 'gauge', mem.heapTotal) +
    gauge('nodejs_heap_size_used_bytes', 'V8 heap used in bytes.', 'gauge', mem.heapUsed) +
    heapSpaces() +
    gauge(
      'nodejs_external_memory_bytes',
      'Memory of C++ objects bound to JavaScript (buffers, SQLite).',
      'gauge',
      mem.external,
    ) +
    gauge(
      'process_cpu_seconds_total',
      'User and system CPU time spent, in seconds.',
      'counter',
      (cpu.user + cpu.system) / 1e6,
    ) +
    gauge(
      'process_start_time_seconds',
      'Start time of the process since the Unix epoch, in seconds.',
      'gauge',
      Math.round((Date.now() - process.uptime() * 1000) / 1000),
    )
  )
}

/** 1 for each configured MCP server that is connected and ready, 0 otherwise (disabled, starting, failed). */
function renderMcpServers(hub: McpStatusSource): string {
  let out =
    '# HELP switchyard_mcp_server_up 1 when the MCP server is connected and ready, else 0.\n# TYPE switchyard_mcp_server_up gauge\n'
  for (const s of hub.status())
    out += `switchyard_mcp_server_up{server="${escapeLabel(s.name)}"} ${s.state === 'ready' ? 1 : 0}\n`
  return out
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 }

/** Circuit state per target (0 closed, 1 half-open, 2 open) and how often each opened. */
function renderBreakers(breakers: BreakerRegistry): string {
  let state =
    '# HELP switchyard_circuit_state Circuit breaker state per target: 0 closed, 1 half-open, 2 open.\n# TYPE switchyard_circuit_state gauge\n'
  let opens =
    "# HELP switchyard_circuit_opens_total Times a target's circuit opened.\n# TYPE switchyard_circuit_opens_total counter\n"
  for (const [key, b] of breakers.entries()) {
    const slash = key.indexOf('/')
    const labels = `{provider=${JSON.stringify(key.slice(0, slash))},model=${JSON.stringify(key.slice(slash + 1))}}`
    state += `switchyard_circuit_state${labels} ${CIRCUIT_VALUE[b.state]}\n`
    opens += `switchyard_circuit_opens_total${labels} ${b.opens}\n`
  }
  return state + opens
}
