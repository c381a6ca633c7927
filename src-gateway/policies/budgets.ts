import { randomUUID } from 'node:crypto'
import { type Alerts, BUDGET_THRESHOLDS, budgetPercent } from '../alerts/alerts.js'
import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import { promptChars } from '../routing/plan.js'
import type { SharedState } from '../shared-state/redis.js'
import type { Db } from '../store/db.js'
import { BudgetGate, type BudgetHold } from './budget-gate.js'
import type { VirtualKey } from './keys.js'
import { reserveShared, type SharedBudgetRef, type SharedReservation, settleShared } from './shared-budgets.js'
import { type BudgetPeriod, type LedgerScope, periodEnd, periodStart, SpendLedger } from './spend-ledger.js'
import type { WorkspaceLimitsState, WorkspaceState } from './workspace-limits/workspace-limits.js'

export type Budget = NonNullable<VirtualKey['config']['budget']>

/** What a budgeted call may cost when the caller sets no output limit: a prior until the model's real cost is seen. */
const DEFAULT_OUTPUT_TOKENS = 1024

/** Characters / 4 is what a prompt usually costs; the real count replaces it when the call ends. */
export function estimateTokens(call: ChatRequest | EmbeddingsRequest): number {
  const chars = 'messages' in call ? promptChars(call) : JSON.stringify(call.input).length
  return Math.ceil(chars / 4)
}

export const secondsUntil = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)))

/**
 * A budget a call is checked against: its key's or its workspace's. Both decide, reserve and answer alike;
 * only the name in the message and the error codes differ.
 */
interface BudgetSubject {
  /** `key 'ci'` or `workspace 'team-a'`, as the 429's message names it. */
  what: string
  scope: 'key' | 'workspace'
  name: string
  ledger: SpendLedger
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

/**
 * What the key's and the workspace's budgets decided for one call. `commit` once the rate limits agreed (the
 * call then holds its reservations), `cancel` when they refused, `settle` with the ended call's event.
 */
export interface BudgetTicket {
  /** The model to serve the call with: the one asked for, or a budget's downgrade model. */
  model: string
  commit(): void
  cancel(): void
  settle(e: LogEvent): void
}

/** The output tokens a chat call may produce at most, when the caller said. */
function outputLimit(call: ChatRequest | EmbeddingsRequest): number | undefined {
  if (!('messages' in call)) return 0
  return call.max_completion_tokens ?? call.max_tokens ?? undefined
}

/** Where a requested model may be served, as far as config tells without resolving it. */
export type PricedTargets = (model: string) => { providerId?: string; model: string }[]

export interface BudgetDeps {
  priceBook?: PriceBook
  alerts?: Alerts
  pricedTargets: PricedTargets
  /** The Redis several instances share (config `redis`), once connected; budgets then live there. */
  shared?: () => SharedState | undefined
}

/** A budget's reservation in Redis for one call, and the period it counts in. */
interface SharedHeld {
  subject: BudgetSubject
  ref: SharedBudgetRef
  /** Undefined when the budget did not reserve (a downgrade): the call is still charged to it. */
  id: string | undefined
}

/** Why a shared budget could not be read: Redis is down or did not answer in time. */
class SharedUnavailable extends Error {}

/**
 * Key and workspace budgets: the decision at admission (room, downgrade or 429), what an admitted call
 * reserves while it runs, and its charge when it ends. Spend is read from the ledgers (request_logs).
 */
export class Budgets {
  readonly ledger: SpendLedger
  private gates = new Map<string, BudgetGate>()
  private keyBudgets = new Map<string, Budget>()
  /** The last total Redis returned per budget (`scope:name`), for the admin views of shared budgets. */
  private lastShared = new Map<string, { start: number; spent: number }>()

  constructor(
    db: Db | undefined,
    private readonly clock: () => number,
    private readonly workspaces: WorkspaceLimitsState,
    private readonly deps: BudgetDeps,
  ) {
    this.ledger = new SpendLedger(db, clock)
    workspaces.sharedSpent = (id, budget) => this.spentOf('workspace', id, workspaces.ledger, budget)
  }

  /** Key and workspace ledgers read their periods' spend from `read` (the shared Postgres log) from now on. */
  seedSpendFrom(read: (scope: LedgerScope, name: string, since: number) => Promise<number>): Promise<unknown> {
    return Promise.all([this.ledger.seedFrom(read), this.workspaces.ledger.seedFrom(read)])
  }

  /** Tracks the keys' budgets; calls in flight hold their key's gate, and a key that keeps its name keeps its gate. */
  apply(keys: VirtualKey[]): void {
    const budgets = new Map<string, BudgetPeriod>()
    this.keyBudgets = new Map()
    for (const k of keys) {
      if (!k.config.budget) continue
      budgets.set(k.name, k.config.budget.period)
      this.keyBudgets.set(k.name, k.config.budget)
    }
    this.ledger.track(budgets)
    this.gates = new Map([...budgets.keys()].map((name) => [name, this.gates.get(name) ?? new BudgetGate()]))
  }

  /**
   * The key's budget, then the workspace's (which judges the model the key's budget left: a key downgraded for
   * its own budget spends the workspace's on the cheaper model). Throws the 429 of a spent or held budget
   * without a downgrade. Undefined when neither has a budget.
   */
  decide(
    key: VirtualKey | undefined,
    ws: WorkspaceState | undefined,
    canonical: ChatRequest | EmbeddingsRequest,
  ): BudgetTicket | Promise<BudgetTicket> | undefined {
    const keyBudget = key?.config.budget && this.keyBudgetSubject(key, key.config.budget)
    const wsBudget = ws?.budget && this.workspaceBudgetSubject(ws, ws.budget)
    if (!keyBudget && !wsBudget) return undefined
    const shared = this.deps.shared?.()
    if (shared) return this.decideShared(shared, keyBudget, wsBudget, canonical)
    return this.decideLocal(keyBudget, wsBudget, canonical)
  }

  /** One instance's decision: its own ledgers and gates. */
  private decideLocal(
    keyBudget: BudgetSubject | undefined,
    wsBudget: BudgetSubject | undefined,
    canonical: ChatRequest | EmbeddingsRequest,
  ): BudgetTicket {
    const byKey = keyBudget ? this.budgetDecision(keyBudget, canonical, canonical.model) : undefined
    const byWorkspace = wsBudget ? this.budgetDecision(wsBudget, canonical, byKey?.model ?? canonical.model) : undefined
    const model = byWorkspace?.model ?? byKey?.model ?? canonical.model
    let keyHeld: Held | undefined
    let wsHeld: Held | undefined
    return {
      model,
      commit: () => {
        keyHeld = this.holdBudget(keyBudget, byKey, model)
        wsHeld = this.holdBudget(wsBudget, byWorkspace, model)
      },
      cancel: () => undefined,
      settle: (e) => {
        const cost = this.costOf(e)
        if (keyBudget) this.charge(keyBudget, e, cost, keyHeld, true)
        if (wsBudget) this.charge(wsBudget, e, cost, wsHeld, true)
      },
    }
  }

  private costOf(e: LogEvent): number {
    return e.isCacheHit || !this.deps.priceBook ? 0 : (eventCost(this.deps.priceBook, e) ?? 0)
  }

  /**
   * The decision across instances: each budget reserves the call's estimate in Redis in one script that also
   * refuses (see shared-budgets.ts). With Redis unreachable, `onUnavailable.budgets` decides: `closed` answers
   * 503 budgets_unavailable, `open` falls back to this instance's own ledgers and gates.
   */
  private async decideShared(
    shared: SharedState,
    keyBudget: BudgetSubject | undefined,
    wsBudget: BudgetSubject | undefined,
    canonical: ChatRequest | EmbeddingsRequest,
  ): Promise<BudgetTicket> {
    const held: SharedHeld[] = []
    const release = () => {
      for (const h of held) if (h.id) void settleShared(shared, h.ref, h.id, 0, 0).catch(() => undefined)
    }
    let byKey: BudgetDecision | undefined
    let byWorkspace: BudgetDecision | undefined
    try {
      if (keyBudget) byKey = await this.sharedDecision(shared, keyBudget, canonical, canonical.model, held)
      if (wsBudget) {
        byWorkspace = await this.sharedDecision(shared, wsBudget, canonical, byKey?.model ?? canonical.model, held)
      }
    } catch (err) {
      // A budget that refused gives back what the other one reserved for this call.
      release()
      if (!(err instanceof SharedUnavailable)) throw err
      if (shared.settings.onUnavailable.budgets === 'open') return this.decideLocal(keyBudget, wsBudget, canonical)
      throw new GatewayError(
        'unavailable',
        'budgets cannot be checked: the shared state (Redis) is unreachable; retry shortly',
        { code: 'budgets_unavailable', retryAfter: '1' },
      )
    }
    const model = byWorkspace?.model ?? byKey?.model ?? canonical.model
    const local: (Held | undefined)[] = []
    return {
      model,
      commit: () => {
        // This instance's gates learn what calls cost (their reservation estimates) and stand in if Redis goes.
        local.push(this.holdBudget(keyBudget, byKey, model), this.holdBudget(wsBudget, byWorkspace, model))
      },
      cancel: release,
      settle: (e) => {
        const cost = this.costOf(e)
        const [keyHeld, wsHeld] = local
        if (keyBudget) this.charge(keyBudget, e, cost, keyHeld, false)
        if (wsBudget) this.charge(wsBudget, e, cost, wsHeld, false)
        for (const h of held) {
          void settleShared(shared, h.ref, h.id, cost, 0).then(
            (spent) => this.sharedAlerts(h.subject, spent, h.ref.periodStart),
            // The reservation expires on its own; the charge stays in this instance's ledger (and request_logs).
            () => undefined,
          )
        }
      },
    }
  }

  /** budgetDecision's counterpart in Redis; records the reservation (or the charge to come) in `held`. */
  private async sharedDecision(
    shared: SharedState,
    subject: BudgetSubject,
    canonical: ChatRequest | EmbeddingsRequest,
    model: string,
    held: SharedHeld[],
  ): Promise<BudgetDecision> {
    const now = this.clock()
    const ref: SharedBudgetRef = {
      scope: subject.scope,
      name: subject.name,
      periodStart: periodStart(subject.budget.period, now),
      periodEnd: periodEnd(subject.budget.period, now),
    }
    const reservationUsd = this.reservation(subject.gate, canonical, model)
    const id = randomUUID()
    let r: SharedReservation
    try {
      if (!shared.available()) throw new SharedUnavailable()
      r = await reserveShared(shared, ref, subject.budget.usd, reservationUsd, subject.ledger.spent(subject.name), id)
    } catch (err) {
      throw err instanceof SharedUnavailable ? err : new SharedUnavailable((err as Error).message)
    }
    this.lastShared.set(this.sharedName(subject), { start: ref.periodStart, spent: r.spent })
    if (r.room === 'open') {
      held.push({ subject, ref, id })
      return { model, reserve: true, reservationUsd }
    }
    const decision = this.refuse({ ...subject, spent: r.spent }, canonical, r.room, r.inFlight)
    held.push({ subject, ref, id: undefined })
    return decision
  }

  private sharedName(subject: BudgetSubject): string {
    return `${subject.scope}:${subject.name}`
  }

  /** Budget alerts from the total every instance spent, as Redis returned it after a charge. */
  private sharedAlerts(subject: BudgetSubject, spent: number, start: number): void {
    const last = this.lastShared.get(this.sharedName(subject))
    if (!last || last.start <= start) this.lastShared.set(this.sharedName(subject), { start, spent })
    if (subject.scope === 'key') this.deps.alerts?.budgetSpend(subject.name, spent, subject.budget, start)
    else this.deps.alerts?.workspaceBudgetSpend(subject.name, spent, subject.budget, start)
  }

  private keyBudgetSubject(key: VirtualKey, budget: Budget): BudgetSubject {
    return {
      what: `key '${key.name}'`,
      scope: 'key',
      name: key.name,
      ledger: this.ledger,
      budget,
      gate: this.gates.get(key.name)!,
      spent: this.ledger.spent(key.name),
      codes: KEY_BUDGET_CODES,
    }
  }

  private workspaceBudgetSubject(ws: WorkspaceState, budget: Budget): BudgetSubject {
    return {
      what: `workspace '${ws.id}'`,
      scope: 'workspace',
      name: ws.id,
      ledger: this.workspaces.ledger,
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
   * Charges an ended call to its key's or workspace's ledger now (not when its log row is written) and frees
   * its reservation; alerts from this ledger unless the budget is shared (Redis's total alerts then).
   */
  private charge(subject: BudgetSubject, e: LogEvent, cost: number, held: Held | undefined, alert: boolean): void {
    held?.gate.release(held.hold, held.model, cost, e.status > 0 && e.status < 400)
    subject.ledger.charge(subject.name, e, cost)
    if (!alert) return
    if (subject.scope === 'key') this.budgetAlerts(subject.name)
    else this.workspaceBudgetAlerts(subject.name)
  }

  /** The log writer priced a row: the ledgers swap the charge made when the call ended for this price. */
  confirm(e: LogEvent, costUsd: number): void {
    this.ledger.confirm(e, costUsd)
    this.workspaces.ledger.confirm(e, costUsd)
    // With shared budgets this instance's ledger holds only part of the spend: Redis's total alerts instead.
    if (this.deps.shared?.()) return
    if (e.keyName !== undefined) this.budgetAlerts(e.keyName)
    if (e.workspace !== undefined) this.workspaceBudgetAlerts(e.workspace)
  }

  private budgetAlerts(name: string): void {
    const budget = this.keyBudgets.get(name)
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
    return this.refuse(subject, canonical, room, gate.callsInFlight)
  }

  /** A budget without room: the downgrade model when it has one (chat only), else the 429. */
  private refuse(
    subject: BudgetSubject,
    canonical: ChatRequest | EmbeddingsRequest,
    room: 'spent' | 'held',
    inFlight: number,
  ): BudgetDecision {
    const { budget, spent } = subject
    const onExceed = budget.onExceed ?? 'block'
    // The downgrade model is a chat model: an embeddings call over budget is blocked instead.
    if ('messages' in canonical && onExceed.startsWith('downgrade:')) {
      return { model: onExceed.slice('downgrade:'.length), reserve: false }
    }
    const period = budget.period === 'total' ? 'total' : `${budget.period}ly`
    if (room === 'held') {
      throw new GatewayError(
        'rate_limited',
        `${subject.what} has $${Math.max(0, budget.usd - spent).toFixed(4)} of its ${period} budget left, held by ${inFlight} call(s) in flight; retry when they finish`,
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
    for (const t of this.deps.pricedTargets(model)) {
      try {
        const c = book.cost({ providerId: t.providerId, model: t.model, usage: { input, output: outputTokens } })
        if (c !== null) max = Math.max(max ?? 0, c)
      } catch {
        // Unpriceable here; the call is still charged what the log writer prices later.
      }
    }
    return max
  }

  /**
   * A budget's spend in its current period: with shared budgets, the last total Redis returned to this instance
   * for it (every instance's calls); else, or before any, this instance's ledger.
   */
  private spentOf(scope: 'key' | 'workspace', name: string, ledger: SpendLedger, budget: Budget): number {
    const local = ledger.spent(name)
    if (!this.deps.shared?.()) return local
    const last = this.lastShared.get(`${scope}:${name}`)
    return last?.start === periodStart(budget.period, this.clock()) ? Math.max(last.spent, local) : local
  }

  /** A key's budget as the admin API shows it: current spend, alert level and period. */
  keyView(name: string, budget: Budget) {
    const spent = this.spentOf('key', name, this.ledger, budget)
    const percentUsed = budgetPercent(spent, budget.usd)
    const now = this.clock()
    const start = this.ledger.periodStartOf(name) ?? periodStart(budget.period, now)
    const end = periodEnd(budget.period, now)
    return {
      ...budget,
      onExceed: budget.onExceed ?? 'block',
      spentUsd: spent,
      percentUsed,
      /** The highest alert threshold (50, 80, 100) the period's spend has reached; 0 below 50%. */
      alertLevel: BUDGET_THRESHOLDS.filter((t) => percentUsed >= t).at(-1) ?? 0,
      /** The period the spend counts in (UTC; `total` starts at the epoch and never ends). */
      periodStart: new Date(start).toISOString(),
      periodEnd: end === undefined ? null : new Date(end).toISOString(),
    }
  }
}
