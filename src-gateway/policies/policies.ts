import { type Alerts, BUDGET_THRESHOLDS, budgetPercent } from '../alerts/alerts.js'
import type { GatewayConfig, RouteConfig } from '../config/schema.js'
import { keyWorkspace, sharedWith } from '../config/workspaces.js'
import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import { promptChars } from '../routing/plan.js'
import type { Target } from '../routing/resolve.js'
import type { Db } from '../store/db.js'
import { BudgetGate, type BudgetHold } from './budget-gate.js'
import { buildKey, findKey, type VirtualKey } from './keys.js'
import { type HeaderSink, KeyLimiter } from './limiter.js'
import { ProviderLimits } from './provider-limits.js'
import { bothFilters, residencyFilter } from './residency.js'
import { type BudgetPeriod, periodEnd, periodStart, SpendLedger } from './spend-ledger.js'
import { WorkspaceLimitsState, type WorkspaceState } from './workspace-limits/workspace-limits.js'

/** What a call may do once its key is admitted. */
export interface Admission {
  /** The model to resolve: the one requested, or the budget's downgrade model. */
  model: string
  /** Residency: drops targets the key may not reach (throws 403 when none is left). */
  filterTargets?: (targets: Target[], model: string) => Target[]
  /** Called once the call has ended, with its log event, to charge what it really used. */
  settle(event: LogEvent): void
}

/** What a budgeted call may cost when the caller sets no output limit: a prior until the model's real cost is seen. */
const DEFAULT_OUTPUT_TOKENS = 1024

/** Policies' collaborators beyond config: pricing for budgets charged as calls end, and alerts. */
export interface PolicyDeps {
  priceBook?: PriceBook
  alerts?: Alerts
}

/** The end user a call is made for: OpenAI's `user` field or Anthropic's `metadata.user_id`. */
function endUser(body: Record<string, unknown>): string | undefined {
  const meta = body.metadata as { user_id?: unknown } | undefined
  const user = typeof body.user === 'string' ? body.user : meta?.user_id
  return typeof user === 'string' && user !== '' ? user : undefined
}

/** Characters / 4 is what a prompt usually costs; the real count replaces it when the call ends. */
function estimateTokens(call: ChatRequest | EmbeddingsRequest): number {
  const chars = 'messages' in call ? promptChars(call) : JSON.stringify(call.input).length
  return Math.ceil(chars / 4)
}

const secondsUntil = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)))

type Budget = NonNullable<VirtualKey['config']['budget']>

/**
 * A budget a call is checked against: its key's or its workspace's. Both decide, reserve and answer alike;
 * only the name in the message and the error codes differ.
 */
interface BudgetSubject {
  /** `key 'ci'` or `workspace 'team-a'`, as the 429's message names it. */
  what: string
  budget: Budget
  gate: BudgetGate
  spent: number
  codes: { exceeded: string; reserved: string }
}

const KEY_BUDGET_CODES = { exceeded: 'budget_exceeded', reserved: 'budget_reserved' }
const WORKSPACE_BUDGET_CODES = { exceeded: 'workspace_budget_exceeded', reserved: 'workspace_budget_reserved' }

/** What one budget decided for a call: the model to serve it with, and what it reserves while it runs. */
interface BudgetDecision {
  model: string
  reserve: boolean
  reservationUsd?: number
}

/** What an admitted call holds of a budget until it ends. */
interface Held {
  gate: BudgetGate
  hold: BudgetHold
  model: string
}

/** The output tokens a chat call may produce at most, when the caller said. */
function outputLimit(call: ChatRequest | EmbeddingsRequest): number | undefined {
  if (!('messages' in call)) return 0
  return call.max_completion_tokens ?? call.max_tokens ?? undefined
}

function checkModel(key: VirtualKey, model: string): void {
  if (key.allowsModel(model)) return
  throw new GatewayError(
    'permission',
    `key '${key.name}' may not use model '${model}' (allowed: ${key.config.models!.join(', ')})`,
    { code: 'model_not_allowed' },
  )
}

/** Who makes a call, for the workspace sharing rules: a key (in its workspace) or a keyless UI call made in one. */
interface WorkspaceCaller {
  /** `key 'ci'`, or `this call` for a UI call. */
  who: string
  workspace: string
}

const keyCaller = (key: VirtualKey): WorkspaceCaller => ({
  who: `key '${key.name}'`,
  workspace: keyWorkspace(key.config),
})

/** The refusal of a model that is not shared with the caller's workspace: the same answer as a model a key may not use. */
function notInWorkspace(caller: WorkspaceCaller, model: string, what: string): GatewayError {
  return new GatewayError(
    'permission',
    `${caller.who} may not use model '${model}': ${what} is not shared with its workspace '${caller.workspace}'`,
    { code: 'model_not_allowed' },
  )
}

/**
 * Virtual keys and what they allow: authentication, model allow-lists, rate limits, budgets and data
 * residency. Built from config and rebuilt in place on a config change (rate-limit state survives for
 * keys whose limits did not change).
 */
export class Policies {
  private keys: VirtualKey[] = []
  private byName = new Map<string, VirtualKey>()
  private limiters = new Map<string, KeyLimiter>()
  private providerTags = new Map<string, string[]>()
  private providerIds = new Set<string>()
  /** Providers only some workspaces may use (`providers.X.workspaces`); the others are shared. */
  private providerWorkspaces = new Map<string, string[]>()
  private routes: Record<string, RouteConfig> = {}
  private gates = new Map<string, BudgetGate>()
  private configured = 0
  readonly ledger: SpendLedger
  /** `workspaces.<id>.budget` and `.limits`: summed over every call of the workspace. */
  readonly workspaces: WorkspaceLimitsState
  readonly providerLimits = new ProviderLimits()

  constructor(
    config: GatewayConfig,
    db: Db | undefined,
    private readonly clock: () => number,
    private readonly deps: PolicyDeps = {},
  ) {
    this.ledger = new SpendLedger(db, clock)
    this.workspaces = new WorkspaceLimitsState(db, clock)
    this.apply(config)
  }

  apply(config: GatewayConfig): void {
    const now = this.clock()
    const cfgs = config.keys ?? []
    this.configured = cfgs.length
    // A key whose `${env:…}` did not resolve is empty: it stays configured (so auth stays on) but matches nothing.
    this.keys = cfgs.filter((k) => k.key !== '').map(buildKey)
    this.byName = new Map(this.keys.map((k) => [k.name, k]))
    const limiters = new Map<string, KeyLimiter>()
    for (const k of this.keys) {
      const limits = k.config.limits ?? {}
      const prev = this.limiters.get(k.name)
      limiters.set(
        k.name,
        prev && JSON.stringify(prev.limits) === JSON.stringify(limits) ? prev : new KeyLimiter(limits, now),
      )
    }
    this.limiters = limiters
    this.providerTags = new Map(Object.entries(config.providers ?? {}).map(([id, p]) => [id, p.tags ?? []]))
    this.providerIds = new Set(Object.keys(config.providers ?? {}))
    this.providerWorkspaces = new Map(
      Object.entries(config.providers ?? {}).flatMap(([id, p]) => (p.workspaces ? [[id, p.workspaces]] : [])),
    )
    this.routes = config.routes ?? {}
    this.providerLimits.apply(config.providers ?? {}, now)
    const budgets = new Map<string, BudgetPeriod>()
    for (const k of this.keys) if (k.config.budget) budgets.set(k.name, k.config.budget.period)
    this.ledger.track(budgets)
    // Calls in flight hold their key's gate; a key that keeps its name keeps its gate.
    this.gates = new Map([...budgets.keys()].map((name) => [name, this.gates.get(name) ?? new BudgetGate()]))
    this.workspaces.apply(config.workspaces)
    this.deps.alerts?.apply(config)
  }

  /** Whether callers need a key: as soon as one is configured. */
  get enabled(): boolean {
    return this.configured > 0
  }

  /** The key a presented secret belongs to; 401 when there is none or it has expired. */
  authenticate(given: string | undefined): VirtualKey {
    const key = given === undefined ? undefined : findKey(this.keys, given)
    if (!key) {
      throw new GatewayError(
        'authentication',
        given === undefined
          ? 'this gateway needs an API key: send Authorization: Bearer <key> or x-api-key: <key>'
          : 'invalid API key',
        { code: 'invalid_api_key' },
      )
    }
    if (key.expiresAtMs !== undefined && this.clock() >= key.expiresAtMs) {
      throw new GatewayError('authentication', `API key '${key.name}' expired at ${key.config.expiresAt}`, {
        code: 'expired_api_key',
      })
    }
    return key
  }

  /**
   * Checks a decoded chat or embeddings call against its key and its workspace before any upstream call:
   * model allow-list (403), the key's budget then the workspace's (429, or a downgrade for chat), then the
   * key's rate limits and the workspace's (429). Sets `x-ratelimit-*` either way. A budgeted call reserves
   * what it may cost until `settle`, so concurrent calls see each other. A call without a key (the UI's)
   * meets its workspace's budget and limits when the auth hook has set `event.workspace`.
   */
  admit(
    keyName: string | undefined,
    reply: HeaderSink,
    event: LogEvent,
    canonical: ChatRequest | EmbeddingsRequest,
    body: Record<string, unknown>,
  ): Admission {
    const routeResidency = this.routeResidency(canonical.model)
    const key = keyName === undefined ? undefined : this.authenticatedKey(keyName)
    if (key) {
      event.keyName = key.name
      event.workspace = keyWorkspace(key.config)
      this.deps.alerts?.requestSeen(key.name)
      checkModel(key, canonical.model)
    }
    const caller = this.callerOf(key, event.workspace)
    if (caller) this.checkWorkspace(caller, canonical.model)
    const ws = this.workspaces.get(event.workspace)
    if (!key && !ws) {
      const filterTargets = bothFilters(routeResidency, caller && this.workspaceFilter(caller))
      return { model: canonical.model, filterTargets, settle: (e) => this.settleProviders(e) }
    }
    // Decided before the rate limits take anything, committed after they agreed (admission is synchronous).
    // The workspace judges the model the key's budget left: a key downgraded for its own budget spends the
    // workspace's on the cheaper model.
    const keyBudget = key?.config.budget && this.keyBudgetSubject(key, key.config.budget)
    const byKey = keyBudget ? this.budgetDecision(keyBudget, canonical, canonical.model) : undefined
    const wsBudget = ws?.budget && this.workspaceBudgetSubject(ws, ws.budget)
    const byWorkspace = wsBudget ? this.budgetDecision(wsBudget, canonical, byKey?.model ?? canonical.model) : undefined
    const model = byWorkspace?.model ?? byKey?.model ?? canonical.model
    if (model !== canonical.model) event.downgradedFrom = canonical.model

    const now = this.clock()
    const limiter = key && this.limiters.get(key.name)
    const wsLimiter = ws?.limiter
    const estimate = limiter?.hasTpm || wsLimiter?.hasTpm ? estimateTokens(canonical) : 0
    const user = endUser(body)
    const refusal = limiter?.refusal(estimate, user, now)
    const wsRefusal = refusal ? undefined : wsLimiter?.refusal(estimate, undefined, now)
    if (!refusal && !wsRefusal) {
      limiter?.take(estimate, user, now)
      wsLimiter?.take(estimate, undefined, now)
    }
    // The key's own limits win the headers; a key without limits shows its workspace's.
    wsLimiter?.setHeaders(reply, now)
    limiter?.setHeaders(reply, now)
    if (refusal) {
      throw new GatewayError('rate_limited', `key '${key!.name}' is over its ${refusal.what} limit`, {
        code: 'rate_limit_exceeded',
        retryAfter: secondsUntil(refusal.retryAfterMs),
      })
    }
    if (wsRefusal) {
      throw new GatewayError('rate_limited', `workspace '${ws!.id}' is over its ${wsRefusal.what} limit`, {
        code: 'workspace_rate_limited',
        retryAfter: secondsUntil(wsRefusal.retryAfterMs),
      })
    }
    const keyHeld = this.holdBudget(keyBudget, byKey, model)
    const wsHeld = this.holdBudget(wsBudget, byWorkspace, model)
    return {
      model,
      filterTargets: bothFilters(
        bothFilters(routeResidency, key && this.keyResidency(key)),
        caller && this.workspaceFilter(caller),
      ),
      settle: (e) => {
        this.settleProviders(e)
        if (limiter?.hasTpm || wsLimiter?.hasTpm) {
          const reported = e.inputTokens !== undefined || e.outputTokens !== undefined
          // A call that failed without usage cost the upstream nothing: give the estimate back.
          // A cache hit used no upstream tokens either.
          const used = reported ? (e.inputTokens ?? 0) + (e.outputTokens ?? 0) : e.status < 400 ? estimate : 0
          const actual = e.isCacheHit ? 0 : used
          limiter?.correctTokens(estimate, actual, this.clock())
          wsLimiter?.correctTokens(estimate, actual, this.clock())
        }
        if (!keyBudget && !wsBudget) return
        const cost = e.isCacheHit || !this.deps.priceBook ? 0 : (eventCost(this.deps.priceBook, e) ?? 0)
        if (key && keyBudget) this.chargeBudget(key.name, e, cost, keyHeld)
        if (ws && wsBudget) this.chargeWorkspace(ws.id, e, cost, wsHeld)
      },
    }
  }

  private keyBudgetSubject(key: VirtualKey, budget: Budget): BudgetSubject {
    const gate = this.gates.get(key.name)!
    return { what: `key '${key.name}'`, budget, gate, spent: this.ledger.spent(key.name), codes: KEY_BUDGET_CODES }
  }

  private workspaceBudgetSubject(ws: WorkspaceState, budget: Budget): BudgetSubject {
    return {
      what: `workspace '${ws.id}'`,
      budget,
      gate: ws.gate!,
      spent: this.workspaces.ledger.spent(ws.id),
      codes: WORKSPACE_BUDGET_CODES,
    }
  }

  /**
   * Reserves what the call may cost on a budget that admitted it with room (not on a downgrade). The gate
   * learns the cost of the model the call is served with, which the other budget may have downgraded.
   */
  private holdBudget(
    subject: BudgetSubject | undefined,
    decision: BudgetDecision | undefined,
    served: string,
  ): Held | undefined {
    if (!subject || !decision?.reserve) return undefined
    return { gate: subject.gate, hold: subject.gate.hold(decision.reservationUsd), model: served }
  }

  /**
   * Where the prompt of a request that is not a chat call (count_tokens) may go: the key's model allow-list
   * (403), what is shared with the key's workspace (or `workspace`, a keyless UI call's) and the route's and
   * key's residency, exactly as `admit` would decide for a chat call.
   */
  restrictions(keyName: string | undefined, model: string, workspace?: string): Admission['filterTargets'] {
    const routeResidency = this.routeResidency(model)
    const key = keyName === undefined ? undefined : this.authenticatedKey(keyName)
    if (key) checkModel(key, model)
    const caller = this.callerOf(key, workspace)
    if (caller) this.checkWorkspace(caller, model)
    return bothFilters(
      bothFilters(routeResidency, key && this.keyResidency(key)),
      caller && this.workspaceFilter(caller),
    )
  }

  /**
   * Whether a key may call `model` as GET /v1/models lists it (a route's name or `provider/model`): its model
   * globs and its workspace allow it. A keyless caller sees what is shared with `workspace` (a UI call's), or
   * everything without one.
   */
  mayList(keyName: string | undefined, model: string, workspace?: string): boolean {
    const key = keyName === undefined ? undefined : this.byName.get(keyName)
    if (keyName !== undefined && !key?.allowsModel(model)) return false
    const caller = this.callerOf(key, workspace)
    if (!caller) return true
    try {
      this.checkWorkspace(caller, model)
      return true
    } catch {
      return false
    }
  }

  /** Whose workspace the sharing rules judge: the key's; a keyless call's own when it has one; else none. */
  private callerOf(key: VirtualKey | undefined, workspace: string | undefined): WorkspaceCaller | undefined {
    if (key) return keyCaller(key)
    return workspace === undefined ? undefined : { who: 'this call', workspace }
  }

  /**
   * A key (or a UI call made in a workspace) may address a route or a provider (`provider/model`) only when it
   * is shared with its workspace; a bare model name is judged by the targets it resolves to (`workspaceFilter`).
   */
  private checkWorkspace(caller: WorkspaceCaller, model: string): void {
    const ws = caller.workspace
    if (Object.hasOwn(this.routes, model)) {
      if (!sharedWith(this.routes[model].workspaces, ws)) throw notInWorkspace(caller, model, `route '${model}'`)
      return
    }
    const slash = model.indexOf('/')
    const provider = slash > 0 ? model.slice(0, slash) : undefined
    if (provider !== undefined && !sharedWith(this.providerWorkspaces.get(provider), ws)) {
      throw notInWorkspace(caller, model, `provider '${provider}'`)
    }
  }

  /**
   * Drops targets on providers not shared with the caller's workspace, so neither a shared route's fallbacks nor
   * a bare model name reach one; none left is the same 403 as a model the key may not use.
   */
  private workspaceFilter(caller: WorkspaceCaller): Admission['filterTargets'] {
    if (this.providerWorkspaces.size === 0) return undefined
    const ws = caller.workspace
    return (targets, model) => {
      const allowed = targets.filter((t) => sharedWith(this.providerWorkspaces.get(t.provider.id), ws))
      if (allowed.length > 0) return allowed
      const ids = [...new Set(targets.map((t) => t.provider.id))].join(', ')
      throw notInWorkspace(caller, model, `provider ${ids}`)
    }
  }

  /** The key a request was authenticated with, unless a config change has removed it since. */
  private authenticatedKey(name: string): VirtualKey {
    const key = this.byName.get(name)
    if (!key) throw new GatewayError('authentication', 'invalid API key', { code: 'invalid_api_key' })
    return key
  }

  /** A key restricted to provider tags (`keys[].tags`). */
  private keyResidency(key: VirtualKey) {
    const tags = key.config.tags
    return tags ? residencyFilter(`key '${key.name}'`, tags, (id) => this.providerTags.get(id) ?? []) : undefined
  }

  /** A route restricted to provider tags (`routes.X.tags`): applied to every call of the route, keyed or not. */
  private routeResidency(model: string) {
    const tags = Object.hasOwn(this.routes, model) ? this.routes[model].tags : undefined
    return tags ? residencyFilter(`route '${model}'`, tags, (id) => this.providerTags.get(id) ?? []) : undefined
  }

  /**
   * Takes a provider's rate limits for one attempt of `event`'s call to it; the 429 to record when the
   * provider has no room (the pipeline then skips the target, as for an open circuit).
   */
  takeProvider(event: LogEvent, providerId: string, call: ChatRequest | EmbeddingsRequest): GatewayError | undefined {
    return this.providerLimits.take(event, providerId, () => estimateTokens(call), this.clock())
  }

  private settleProviders(e: LogEvent): void {
    this.providerLimits.settle(e, this.clock())
  }

  /** Charges an ended call to its key's budget now (not when its log row is written) and frees its reservation. */
  private chargeBudget(name: string, e: LogEvent, cost: number, held: Held | undefined): void {
    held?.gate.release(held.hold, held.model, cost, e.status > 0 && e.status < 400)
    this.ledger.charge(name, e, cost)
    this.budgetAlerts(name)
  }

  /** The same for the call's workspace: its ledger sums every call made in it. */
  private chargeWorkspace(id: string, e: LogEvent, cost: number, held: Held | undefined): void {
    held?.gate.release(held.hold, held.model, cost, e.status > 0 && e.status < 400)
    this.workspaces.ledger.charge(id, e, cost)
    this.workspaceBudgetAlerts(id)
  }

  /** The log writer priced a row: the ledgers swap the charge made when the call ended for this price. */
  confirmSpend(e: LogEvent, costUsd: number): void {
    this.ledger.confirm(e, costUsd)
    this.workspaces.ledger.confirm(e, costUsd)
    if (e.keyName !== undefined) this.budgetAlerts(e.keyName)
    if (e.workspace !== undefined) this.workspaceBudgetAlerts(e.workspace)
  }

  private budgetAlerts(name: string): void {
    const budget = this.byName.get(name)?.config.budget
    const start = this.ledger.periodStartOf(name)
    if (budget && start !== undefined) this.deps.alerts?.budgetSpend(name, this.ledger.spent(name), budget, start)
  }

  private workspaceBudgetAlerts(id: string): void {
    const budget = this.workspaces.get(id)?.budget
    const start = this.workspaces.ledger.periodStartOf(id)
    if (budget && start !== undefined) {
      this.deps.alerts?.workspaceBudgetSpend(id, this.workspaces.ledger.spent(id), budget, start)
    }
  }

  /**
   * The model to serve with and whether the call counts against the budget: `model` while the budget has
   * room for it, else the downgrade model, else 429.
   */
  private budgetDecision(
    subject: BudgetSubject,
    canonical: ChatRequest | EmbeddingsRequest,
    model: string,
  ): BudgetDecision {
    const { budget, gate, spent } = subject
    const reservationUsd = this.reservation(gate, canonical, model)
    const room = gate.room(spent, budget.usd, reservationUsd)
    if (room === 'open') return { model, reserve: true, reservationUsd }
    const onExceed = budget.onExceed ?? 'block'
    // The downgrade model is a chat model: an embeddings call over budget is blocked instead.
    if ('messages' in canonical && onExceed.startsWith('downgrade:')) {
      return { model: onExceed.slice('downgrade:'.length), reserve: false }
    }
    const period = budget.period === 'total' ? 'total' : `${budget.period}ly`
    if (room === 'held') {
      throw new GatewayError(
        'rate_limited',
        `${subject.what} has $${Math.max(0, budget.usd - spent).toFixed(4)} of its ${period} budget left, held by ${gate.callsInFlight} call(s) in flight; retry when they finish`,
        { code: subject.codes.reserved, retryAfter: '1' },
      )
    }
    const end = periodEnd(budget.period, this.clock())
    throw new GatewayError(
      'rate_limited',
      `${subject.what} has used its ${period} budget: $${spent.toFixed(4)} of $${budget.usd}`,
      {
        code: subject.codes.exceeded,
        retryAfter: end === undefined ? undefined : secondsUntil(end - this.clock()),
      },
    )
  }

  /**
   * What a call may cost, reserved while it runs: priced at its own output limit when it set one, else the
   * most a call of its model has cost under this budget, else priced at a default output length. Undefined
   * when nothing prices it: the call is then admitted only with nothing else of the budget's in flight.
   */
  private reservation(gate: BudgetGate, call: ChatRequest | EmbeddingsRequest, model: string): number | undefined {
    const limit = outputLimit(call)
    return (
      (limit === undefined ? undefined : this.priceBound(call, model, limit)) ??
      gate.highest(model) ??
      this.priceBound(call, model, DEFAULT_OUTPUT_TOKENS)
    )
  }

  /** The price of the call's estimated prompt plus `outputTokens` on the dearest target `model` may reach. */
  private priceBound(call: ChatRequest | EmbeddingsRequest, model: string, outputTokens: number): number | undefined {
    const book = this.deps.priceBook
    if (!book) return undefined
    const input = estimateTokens(call)
    let max: number | undefined
    for (const t of this.pricedTargets(model)) {
      try {
        const c = book.cost({ providerId: t.providerId, model: t.model, usage: { input, output: outputTokens } })
        if (c !== null) max = Math.max(max ?? 0, c)
      } catch {
        // Unpriceable here; the call is still charged what the log writer prices later.
      }
    }
    return max
  }

  /** Where a requested model may be served, as far as config tells without resolving it. */
  private pricedTargets(model: string): { providerId?: string; model: string }[] {
    const split = (m: string) => {
      const slash = m.indexOf('/')
      return slash > 0 && this.providerIds.has(m.slice(0, slash))
        ? { providerId: m.slice(0, slash), model: m.slice(slash + 1) }
        : { model: m }
    }
    const route = Object.hasOwn(this.routes, model) ? this.routes[model] : undefined
    return route ? route.targets.map((t) => split(t.model)) : [split(model)]
  }

  /** The keys as the admin API shows them: never the secret, only a masked hint; budgets with current spend. */
  list() {
    return this.keys.map((k) => {
      const { budget, ...rest } = k.config
      const spent = budget ? this.ledger.spent(k.name) : 0
      const percentUsed = budget ? budgetPercent(spent, budget.usd) : 0
      const now = this.clock()
      const start = budget ? (this.ledger.periodStartOf(k.name) ?? periodStart(budget.period, now)) : 0
      const end = budget ? periodEnd(budget.period, now) : undefined
      return {
        ...rest,
        key: k.masked,
        budget: budget && {
          ...budget,
          onExceed: budget.onExceed ?? 'block',
          spentUsd: spent,
          percentUsed,
          /** The highest alert threshold (50, 80, 100) the period's spend has reached; 0 below 50%. */
          alertLevel: BUDGET_THRESHOLDS.filter((t) => percentUsed >= t).at(-1) ?? 0,
          /** The period the spend counts in (UTC; `total` starts at the epoch and never ends). */
          periodStart: new Date(start).toISOString(),
          periodEnd: end === undefined ? null : new Date(end).toISOString(),
        },
        trafficAnomaly: this.deps.alerts?.trafficFlag(k.name) ?? null,
      }
    })
  }
}
