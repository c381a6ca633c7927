import type { GatewayConfig } from '../config/schema.js'
import { keyWorkspace } from '../config/workspaces.js'
import type { BudgetPeriod } from '../policies/spend-ledger.js'
import type { Db } from '../store/db.js'
import type { LogStore } from '../store/log-store.js'
import type { WriterEpisode } from '../store/write-episodes.js'
import {
  type AlertKind,
  type AlertPage,
  type AlertQuery,
  type AlertRecord,
  type AlertStore,
  memoryAlertStore,
  type NewAlert,
  sqliteAlertStore,
} from './alert-store.js'
import { HourlySpend, TRAILING_HOURS } from './cost-anomaly.js'
import { NORM_MINUTES, type TrafficFlag, TrafficMonitor, type TrafficSettings } from './traffic-anomaly.js'
import { postWebhook, type WebhookOptions } from './webhook.js'

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000
/** Budget thresholds, in percent of the budget: each raises one alert per key and period. */
export const BUDGET_THRESHOLDS = [50, 80, 100] as const
const KINDS: AlertKind[] = [
  'budget',
  'cost_anomaly',
  'traffic_anomaly',
  'log_writer',
  'backend_unavailable',
  'config_sync',
]
/** Dedupe keys this recent are loaded at start; older occasions are caught by the table's UNIQUE key. */
const DEDUPE_LOOKBACK_MS = 40 * DAY
/** Past this many remembered occasions the older half is forgotten (the table still refuses repeats). */
const MAX_REMEMBERED = 10_000
/**
 * With the shared log (config `database`), how often the hourly spend is read again from it, so the cost anomaly
 * compares every instance's spend this hour with every instance's average, not this instance's share of it.
 */
const SHARED_SPEND_REFRESH_MS = 60_000
/** An alert the database refused (a full disk) is stored on a later try, this long after. */
const STORE_RETRY_MS = 30_000

export interface AlertsOptions {
  /** Where alerts are kept (the shared Postgres's, with config `database`); default: `db`'s table, else memory. */
  store?: AlertStore
  db?: Db
  clock: () => number
  /** Where delivery failures go (a webhook that cannot be reached must never fail a call). */
  warn?: (message: string) => void
  webhook?: WebhookOptions
  /** How often a shared (Postgres) log's hourly spend is read again; default SHARED_SPEND_REFRESH_MS. */
  sharedSpendRefreshMs?: number
}

interface Settings extends TrafficSettings {
  costFactor: number
  minHourlyUsd: number
}

function settingsOf(config: GatewayConfig): Settings {
  const a = config.alerts ?? {}
  return {
    costFactor: a.costAnomalyFactor ?? 3,
    minHourlyUsd: a.minHourlyUsd ?? 1,
    factor: a.trafficAnomalyFactor ?? 5,
    windowMinutes: a.trafficWindowMinutes ?? 5,
    minRequests: a.minTrafficRequests ?? 20,
  }
}

/** Each key's workspace, so an alert about a key is its workspace's (members see their workspaces' alerts). */
const keyWorkspacesOf = (config: GatewayConfig) => new Map((config.keys ?? []).map((k) => [k.name, keyWorkspace(k)]))

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`
const PERIOD_LABEL: Record<BudgetPeriod, string> = {
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  total: 'total',
}

/**
 * Budget thresholds, cost anomalies and traffic anomalies: detected in memory as calls are admitted and
 * priced, each raised once per occasion, then stored (the `alerts` table) and POSTed to the configured
 * webhook after the call that raised it has done its work.
 */
export class Alerts {
  private readonly store: AlertStore
  /** Occasions already raised, by dedupe key, with when. */
  private fired = new Map<string, number>()
  private readonly hourly = new HourlySpend()
  private readonly traffic: TrafficMonitor
  private settings: Settings
  private webhook: string | undefined
  private keyWorkspaces: Map<string, string>
  private raised = new Map<AlertKind, number>()
  private queue: { alert: NewAlert; createdAt: string }[] = []
  private sending = new Set<Promise<boolean>>()
  private readonly warn: (message: string) => void
  /** Alerts the database refused, by dedupe key: said once, then tried again at each drain. */
  private unstored = new Set<string>()
  private retryTimer: NodeJS.Timeout | undefined
  /** The drain storing now: drains run one after another, so alerts are stored in the order raised. */
  private draining: Promise<void> = Promise.resolve()
  private closed = false
  private drainScheduled = false
  private log: LogStore | undefined
  private refreshTimer: NodeJS.Timeout | undefined
  private refreshFailing = false

  constructor(
    config: GatewayConfig,
    private readonly opts: AlertsOptions,
  ) {
    this.warn = opts.warn ?? ((m) => process.emitWarning(m))
    this.settings = settingsOf(config)
    this.traffic = new TrafficMonitor(this.settings)
    this.webhook = config.alerts?.webhook || undefined
    this.keyWorkspaces = keyWorkspacesOf(config)
    this.store = opts.store ?? (opts.db ? sqliteAlertStore(opts.db) : memoryAlertStore())
  }

  /**
   * Picks up where the last run (or the other instances) left off, before the first call: the occasions already
   * raised, and the spend and traffic baselines from the request log `log` (the shared one with config `database`).
   * A database that cannot be read now leaves them empty, with a warning: the stored UNIQUE dedupe key still
   * refuses a repeat, and the baselines fill as calls come.
   */
  async start(log: LogStore | undefined): Promise<void> {
    const now = this.opts.clock()
    try {
      const keys = await this.store.dedupeKeysSince(new Date(now - DEDUPE_LOOKBACK_MS).toISOString())
      for (const k of keys) if (!this.fired.has(k)) this.fired.set(k, now)
    } catch (err) {
      this.warn(`raised alerts could not be read: ${(err as Error).message}`)
    }
    if (!log) return
    this.log = log
    if (log.backend === 'postgres') {
      this.refreshTimer = setInterval(
        () => void this.refreshSpend(),
        this.opts.sharedSpendRefreshMs ?? SHARED_SPEND_REFRESH_MS,
      )
      this.refreshTimer.unref()
    }
    try {
      const history = await log.anomalyHistory(
        now - (TRAILING_HOURS + 1) * HOUR,
        now - (NORM_MINUTES + this.settings.windowMinutes) * MINUTE,
      )
      for (const r of history.hourlySpend) this.hourly.add(r.usd, r.hour * HOUR)
      for (const r of history.keyMinutes) this.traffic.add(r.key, r.minute * MINUTE, r.n)
    } catch (err) {
      this.warn(`the anomaly baselines could not be read from the request log: ${(err as Error).message}`)
    }
  }

  /**
   * Reads the hourly spend of the last day again from the log started on (every instance's, with `database`) and
   * replaces this instance's tally with it; spend priced since that is not flushed yet is counted at the next read.
   */
  async refreshSpend(): Promise<void> {
    if (!this.log) return
    const now = this.opts.clock()
    try {
      const { hourlySpend } = await this.log.anomalyHistory(now - (TRAILING_HOURS + 1) * HOUR, now)
      this.hourly.replace(hourlySpend)
      this.refreshFailing = false
    } catch (err) {
      // Kept as it is until the next read; said once per outage (the log being down is an alert of its own).
      if (!this.refreshFailing) this.warn(`the hourly spend could not be read from the log: ${(err as Error).message}`)
      this.refreshFailing = true
    }
  }

  apply(config: GatewayConfig): void {
    this.settings = settingsOf(config)
    this.traffic.configure(this.settings)
    // An `${env:…}` that did not resolve is empty: no webhook rather than a request to ''.
    this.webhook = config.alerts?.webhook || undefined
    this.keyWorkspaces = keyWorkspacesOf(config)
  }

  /** A call by `keyName` arrived: counted for its traffic norm, and flagged when far above it. */
  requestSeen(keyName: string): void {
    const now = this.opts.clock()
    const flag = this.traffic.hit(keyName, now)
    if (!flag) return
    const w = flag.windowMinutes
    const compared =
      flag.normPerWindow > 0
        ? `${(flag.windowRequests / flag.normPerWindow).toFixed(1)}× its norm of ${flag.normPerWindow.toFixed(1)} per ${w} min`
        : 'after none in the hour before'
    this.raise({
      kind: 'traffic_anomaly',
      level: 'warning',
      keyName,
      workspace: this.keyWorkspaces.get(keyName),
      message: `key '${keyName}' made ${flag.windowRequests} requests in ${w} min, ${compared}`,
      details: { ...flag },
      // At most one per key and hour, however often the rate crosses the line.
      dedupeKey: `traffic:${keyName}:${new Date(Math.floor(now / HOUR) * HOUR).toISOString()}`,
    })
  }

  /** The key's traffic flag now, while it is anomalous. */
  trafficFlag(keyName: string): TrafficFlag | undefined {
    return this.traffic.flag(keyName, this.opts.clock())
  }

  /** A call's row was priced: counted in this hour's spend, and raised when the hour is an anomaly. */
  spendPriced(costUsd: number): void {
    if (!(costUsd > 0)) return
    const now = this.opts.clock()
    this.hourly.add(costUsd, now)
    const a = this.hourly.check(now, this.settings.costFactor, this.settings.minHourlyUsd)
    if (!a) return
    const hour = new Date(a.hourStart).toISOString()
    this.raise({
      kind: 'cost_anomaly',
      level: 'critical',
      message: `spend this hour is ${usd(a.spentUsd)}, over ${this.settings.costFactor}× the hourly average of the last ${TRAILING_HOURS} h (${usd(a.averageUsd)})`,
      details: { hourStart: hour, spentUsd: a.spentUsd, averageUsd: a.averageUsd, factor: this.settings.costFactor },
      dedupeKey: `cost:${hour}`,
    })
  }

  /** Raises each 50/80/100% threshold the key's spend has reached, once per period and budget amount. */
  budgetSpend(keyName: string, spentUsd: number, budget: { usd: number; period: BudgetPeriod }, periodStart: number) {
    const pct = budgetPercent(spentUsd, budget.usd)
    const start = new Date(periodStart).toISOString()
    for (const t of BUDGET_THRESHOLDS) {
      if (pct < t) break
      this.raise({
        kind: 'budget',
        level: t >= 100 ? 'critical' : 'warning',
        keyName,
        workspace: this.keyWorkspaces.get(keyName),
        message: `key '${keyName}' has used ${t}% of its ${PERIOD_LABEL[budget.period]} budget (${usd(spentUsd)} of ${usd(budget.usd)})`,
        details: { thresholdPct: t, spentUsd, budgetUsd: budget.usd, period: budget.period, periodStart: start },
        dedupeKey: `budget:${keyName}:${budget.period}:${start}:${budget.usd}:${t}`,
      })
    }
  }

  /**
   * The same thresholds for a workspace's budget (`workspaces.<id>.budget`), summed over all its calls: one
   * alert per threshold, period and budget amount.
   */
  workspaceBudgetSpend(
    workspace: string,
    spentUsd: number,
    budget: { usd: number; period: BudgetPeriod },
    periodStart: number,
  ) {
    const pct = budgetPercent(spentUsd, budget.usd)
    const start = new Date(periodStart).toISOString()
    for (const t of BUDGET_THRESHOLDS) {
      if (pct < t) break
      this.raise({
        kind: 'budget',
        level: t >= 100 ? 'critical' : 'warning',
        workspace,
        message: `workspace '${workspace}' has used ${t}% of its ${PERIOD_LABEL[budget.period]} budget (${usd(spentUsd)} of ${usd(budget.usd)})`,
        details: {
          workspace,
          thresholdPct: t,
          spentUsd,
          budgetUsd: budget.usd,
          period: budget.period,
          periodStart: start,
        },
        dedupeKey: `wsbudget:${workspace}:${budget.period}:${start}:${budget.usd}:${t}`,
      })
    }
  }

  /**
   * The request log's writes started failing, or work again: one alert each per episode. Raised while
   * the database may refuse to store it too; it is stored once writes work again.
   */
  logWriterEpisode(e: WriterEpisode): void {
    const since = new Date(e.since).toISOString()
    if (e.state === 'failing') {
      this.raise({
        kind: 'log_writer',
        level: 'critical',
        message: `request log writes are failing (${e.error}): calls are still served, their log rows wait in memory and the oldest are dropped past logs.maxQueueRows`,
        details: { since, error: e.error },
        dedupeKey: `log_writer:${since}`,
      })
      return
    }
    const seconds = Math.round((this.opts.clock() - e.since) / 1000)
    this.raise({
      kind: 'log_writer',
      level: e.dropped > 0 ? 'critical' : 'warning',
      message: `request log writes work again after ${seconds} s; ${e.dropped} log ${e.dropped === 1 ? 'row was' : 'rows were'} dropped meanwhile`,
      details: { since, seconds, dropped: e.dropped },
      dedupeKey: `log_writer:${since}:recovered`,
    })
  }

  /** Raises an alert unless its occasion was raised before. Storing and sending happen after the caller's turn. */
  raise(alert: NewAlert): void {
    if (this.fired.has(alert.dedupeKey)) return
    const now = this.opts.clock()
    if (this.fired.size >= MAX_REMEMBERED) {
      const oldest = [...this.fired].sort((a, b) => a[1] - b[1]).slice(0, MAX_REMEMBERED / 2)
      for (const [k] of oldest) this.fired.delete(k)
    }
    this.fired.set(alert.dedupeKey, now)
    this.queue.push({ alert, createdAt: new Date(now).toISOString() })
    // A new alert also retries the refused ones now: the database that refused them may be back (the alert saying
    // Postgres is reachable again is raised the moment it is), so they need not wait for the retry timer.
    if (this.drainScheduled) return
    this.drainScheduled = true
    setImmediate(() => {
      this.drainScheduled = false
      void this.drain()
    })
  }

  /** Stores the queued alerts (after any drain still storing) and starts their webhook deliveries. */
  private drain(): Promise<void> {
    this.draining = this.draining
      .then(() => this.storeQueued())
      .catch((err: Error) => this.warn(`alerts could not be stored: ${err.message}`))
    return this.draining
  }

  private async storeQueued(): Promise<void> {
    const batch = this.queue
    this.queue = []
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    const failed: typeof batch = []
    for (const { alert, createdAt } of batch) {
      let record: AlertRecord | undefined
      try {
        record = await this.store.insert(alert, createdAt)
      } catch (err) {
        if (!this.unstored.has(alert.dedupeKey)) this.warn(`alert not stored yet: ${(err as Error).message}`)
        this.unstored.add(alert.dedupeKey)
        failed.push({ alert, createdAt })
        continue
      }
      this.unstored.delete(alert.dedupeKey)
      // Already stored by an earlier run or by another instance: raised once means sent once.
      if (!record) continue
      this.raised.set(alert.kind, (this.raised.get(alert.kind) ?? 0) + 1)
      if (!this.webhook) continue
      // Slack, Mattermost and similar show `text`; other receivers read `alert`.
      const payload = { text: `Switchyard: ${record.message}`, alert: record }
      const sending = postWebhook(this.webhook, payload, this.warn, this.opts.webhook)
      this.sending.add(sending)
      void sending.finally(() => this.sending.delete(sending))
    }
    // Those raised while this batch was stored keep their own scheduled drain; the refused ones wait for a retry.
    this.queue.unshift(...failed)
    if (failed.length > 0 && !this.closed) {
      this.retryTimer = setTimeout(() => void this.drain(), STORE_RETRY_MS)
      this.retryTimer.unref()
    }
  }

  /** Stores what is queued now; called before the database closes. Webhooks in flight carry on. */
  async close(): Promise<void> {
    clearInterval(this.refreshTimer)
    await this.drain()
    this.closed = true
    clearTimeout(this.retryTimer)
  }

  /** Resolves once every alert raised so far is stored and its webhook delivery has finished (tests). */
  async idle(): Promise<void> {
    await this.drain()
    while (this.sending.size > 0) await Promise.all(this.sending)
  }

  list(q: AlertQuery): Promise<AlertPage> {
    return this.store.list(q)
  }

  /** Acknowledges an alert of `workspaces` (undefined: any); undefined when there is no such alert. */
  ack(id: number, workspaces?: readonly string[]): Promise<AlertRecord | undefined> {
    return this.store.ack(id, new Date(this.opts.clock()).toISOString(), workspaces)
  }

  /** `switchyard_alerts_total` by kind, in Prometheus text. */
  renderMetrics(): string {
    let out = '# HELP switchyard_alerts_total Alerts raised, by kind.\n# TYPE switchyard_alerts_total counter\n'
    for (const kind of KINDS) out += `switchyard_alerts_total{kind="${kind}"} ${this.raised.get(kind) ?? 0}\n`
    return out
  }
}

/** Percent of a budget used; a zero budget is fully used by any spend. */
export function budgetPercent(spentUsd: number, budgetUsd: number): number {
  return budgetUsd > 0 ? (spentUsd / budgetUsd) * 100 : spentUsd > 0 ? 100 : 0
}
