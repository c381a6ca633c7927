import type { VirtualKeyConfig } from '../config/schema.js'
import type { LogEvent } from '../core/log-event.js'
import type { Db } from '../store/db.js'

export type BudgetPeriod = NonNullable<VirtualKeyConfig['budget']>['period']

/** Start of the UTC period containing `now` (weeks start on Monday). */
export function periodStart(period: BudgetPeriod, now: number): number {
  const d = new Date(now)
  const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()]
  switch (period) {
    case 'day':
      return Date.UTC(y, m, day)
    case 'week':
      return Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7))
    case 'month':
      return Date.UTC(y, m, 1)
    case 'total':
      return 0
  }
}

/** Start of the period after the one containing `now`; undefined for `total`, which never resets. */
export function periodEnd(period: BudgetPeriod, now: number): number | undefined {
  const start = new Date(periodStart(period, now))
  const [y, m, day] = [start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()]
  if (period === 'day') return Date.UTC(y, m, day + 1)
  if (period === 'week') return Date.UTC(y, m, day + 7)
  if (period === 'month') return Date.UTC(y, m + 1, 1)
  return undefined
}

interface Entry {
  period: BudgetPeriod
  start: number
  /** Spend the cost ledger (request_logs) holds: read at start, then added as the log writer prices rows. */
  confirmed: number
  /** Spend charged when calls ended whose rows the log writer has not priced yet. */
  provisional: number
}

/** What a call was charged when it ended, so the log writer's price later replaces it instead of adding to it. */
interface Charged {
  start: number
  usd: number
}

/** What a ledger sums spend by: a key (`key_name`) or a workspace (`workspace`, every key's and UI call's in it). */
export type LedgerScope = 'key' | 'workspace'

const COLUMN: Record<LedgerScope, string> = { key: 'key_name', workspace: 'workspace' }

/**
 * Spend per key (or per workspace) in its budget period. Read from the cost ledger (request_logs) once per key; after that
 * each call is charged when it ends (priced in memory, so concurrent calls see each other's spend at
 * once), and the charge is swapped for the ledger's own price when the log writer stores the row.
 *
 * The database stays the source of truth: a restart reads the period back from request_logs, and a
 * call is never counted twice because `confirm` takes back exactly what `charge` added for that event.
 */
export class SpendLedger {
  private entries = new Map<string, Entry>()
  private charged = new WeakMap<LogEvent, Charged>()
  /** Where a period's logged spend is read when the log is not `db` (the shared Postgres: config `database`). */
  private seed?: (name: string, start: number) => Promise<number>

  constructor(
    private readonly db: Db | undefined,
    private readonly clock: () => number,
    private readonly scope: LedgerScope = 'key',
  ) {}

  /** The name an event is charged to in this ledger. */
  private nameOf(event: LogEvent): string | undefined {
    return this.scope === 'key' ? event.keyName : event.workspace
  }

  /** Tracks these keys' budgets; a key whose period is unchanged keeps its running total. */
  track(budgets: Map<string, BudgetPeriod>): void {
    const now = this.clock()
    const next = new Map<string, Entry>()
    for (const [name, period] of budgets) {
      const prev = this.entries.get(name)
      const start = periodStart(period, now)
      next.set(
        name,
        prev?.period === period && prev.start === start
          ? prev
          : // Charges not yet in the ledger carry over: the rows they stand for are not in the sum just read.
            {
              period,
              start,
              confirmed: this.read(name, start),
              provisional: prev?.start === start ? prev.provisional : 0,
            },
      )
    }
    this.entries = next
  }

  /**
   * Reads each period's spend from `read` from now on (the log moved to the shared Postgres), and reads the
   * periods already tracked again; resolves once they are read. The server awaits it before it listens, so no call
   * of this instance is both in a confirmed charge and in the sum read. A period first tracked later (a budget
   * added while serving) starts at zero and gets its sum when the read answers.
   */
  async seedFrom(read: (scope: LedgerScope, name: string, since: number) => Promise<number>): Promise<void> {
    const seed = (name: string, start: number) => read(this.scope, name, start)
    this.seed = seed
    await Promise.all(
      [...this.entries].map(async ([name, e]) => {
        const usd = await seed(name, e.start)
        if (this.entries.get(name) === e) e.confirmed = usd
      }),
    )
  }

  private read(name: string, start: number): number {
    if (this.seed) {
      const seed = this.seed
      seed(name, start).then(
        (usd) => {
          const e = this.entries.get(name)
          if (e && e.start === start) e.confirmed += usd
        },
        (err: Error) => process.emitWarning(`budget spend could not be read from the log: ${err.message}`),
      )
      return 0
    }
    if (!this.db) return 0
    const row = this.db
      // Both columns are indexed (request_logs_key, request_logs_workspace), so this reads one key's or workspace's rows.
      .prepare(
        `SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM request_logs WHERE ${COLUMN[this.scope]} = ? AND created_at >= ?`,
      )
      .get(name, new Date(start).toISOString()) as { usd: number }
    return row.usd
  }

  /** The key's entry, rolled over to a fresh period when the clock has moved past its own. */
  private current(name: string): Entry | undefined {
    const e = this.entries.get(name)
    if (!e) return undefined
    const start = periodStart(e.period, this.clock())
    if (start !== e.start) {
      e.start = start
      e.confirmed = 0
      e.provisional = 0
    }
    return e
  }

  /** Spend of `name` in the current period (a new period starts at zero: earlier rows fall outside it). */
  spent(name: string): number {
    const e = this.current(name)
    return e ? e.confirmed + e.provisional : 0
  }

  /** Start of the key's current budget period (epoch ms), if it has a budget. */
  periodStartOf(name: string): number | undefined {
    return this.current(name)?.start
  }

  /** Charges a call to its key's current period as it ends, before its row reaches the ledger. */
  charge(keyName: string, event: LogEvent, usd: number): void {
    const e = this.current(keyName)
    if (!e) return
    e.provisional += usd
    this.charged.set(event, { start: e.start, usd })
  }

  /** Called by the log writer for each priced row: the ledger's price replaces the charge made at the end of the call. */
  confirm(event: LogEvent, costUsd: number): void {
    const c = this.charged.get(event)
    this.charged.delete(event)
    const name = this.nameOf(event)
    const e = name === undefined ? undefined : this.current(name)
    if (!e) return
    if (c?.start === e.start) {
      e.provisional -= c.usd
      e.confirmed += costUsd
    } else if (event.startedAt >= e.start) e.confirmed += costUsd
  }
}
