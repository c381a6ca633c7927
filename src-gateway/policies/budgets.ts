import { type Alerts, BUDGET_THRESHOLDS, budgetPercent } from '../alerts/alerts.js'
import type { ChatRequest, EmbeddingsRequest } from '../core/chat-types.js'
import { GatewayError } from '../core/errors.js'
import type { LogEvent } from '../core/log-event.js'
import { eventCost } from '../pricing/event-cost.js'
import type { PriceBook } from '../pricing/price-book.js'
import { promptChars } from '../routing/plan.js'
import type { Db } from '../store/db.js'
import { BudgetGate, type BudgetHold } from './budget-gate.js'
import type { VirtualKey } from './keys.js'
import { type BudgetPeriod, periodEnd, periodStart, SpendLedger } from './spend-ledger.js'
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
}

/**
 * Key and workspace budgets: the decision at admission (room, downgrade or 429), what an admitted call
 * reserves while it runs, and its charge when it ends. Spend is read from the ledgers (request_logs).
 */
export class Budgets {
  readonly ledger: SpendLedger
  private gates = new Map<string, BudgetGate>()
  private keyBudgets = new Map<string, Budget>()

  constructor(
    db: Db | undefined,
    private readonly clock: () => number,
    private readonly workspaces: WorkspaceLimitsState,
    private readonly deps: BudgetDeps,
  ) {
    this.ledger = new SpendLedger(db, clock)
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
  ): BudgetTicket | undefined {
    const keyBudget = key?.config.budget && this.keyBudgetSubject(key, key.config.budget)
    const wsBudget = ws?.budget && this.workspaceBudgetSubject(ws, ws.budget)
    if (!keyBudget && !wsBudget) return undefined
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
  confirm(e: LogEvent, costUsd: number): void {
    this.ledger.confirm(e, costUsd)
    this.workspaces.ledger.confirm(e, costUsd)
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

  /** A key's budget as the admin API shows it: current spend, alert level and period. */
  keyView(name: string, budget: Budget) {
    const spent = this.ledger.spent(name)
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
