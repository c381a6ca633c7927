import { describe, expect, it } from 'vitest'
import type { LogEvent } from '../core/log-event.js'
import { openDatabase } from '../store/db.js'
import { BudgetGate } from './budget-gate.js'
import { SpendLedger } from './spend-ledger.js'

const event = (keyName: string, startedAt: number): LogEvent => ({
  requestId: `r${startedAt}`,
  startedAt,
  inboundApi: 'openai',
  requestedModel: 'm',
  keyName,
  status: 200,
  latencyMs: 1,
  stream: false,
  attempts: 1,
})

describe('SpendLedger', () => {
  const jan = Date.UTC(2026, 0, 15, 12)

  it('counts a call once: charged when it ends, then swapped for the log writer’s price', () => {
    const ledger = new SpendLedger(undefined, () => jan)
    ledger.track(new Map([['ci', 'month']]))
    const a = event('ci', jan)
    ledger.charge('ci', a, 1)
    expect(ledger.spent('ci')).toBe(1)
    // The writer priced it higher (tokens estimated after the call ended): its price wins, once.
    ledger.confirm(a, 1.25)
    expect(ledger.spent('ci')).toBe(1.25)
    ledger.confirm(event('ci', jan), 2)
    expect(ledger.spent('ci')).toBe(3.25)
  })

  it('never counts a call twice when a budget change reads the period back from the database', () => {
    const db = openDatabase(':memory:')
    db.prepare(
      "INSERT INTO request_logs (created_at, request_id, inbound_api, key_name, status, latency_ms, cost_usd) VALUES (?, 'x', 'openai', 'ci', 200, 1, 4)",
    ).run(new Date(jan - 1000).toISOString())
    const ledger = new SpendLedger(db, () => jan)
    ledger.track(new Map([['ci', 'month']]))
    expect(ledger.spent('ci')).toBe(4)
    const pending = event('ci', jan)
    ledger.charge('ci', pending, 1)
    // A new amount keeps the running total; a new period type reads the ledger again, which holds the
    // pending call only once the writer has stored it (within its flush interval).
    ledger.track(new Map([['ci', 'month']]))
    expect(ledger.spent('ci')).toBe(5)
    ledger.track(new Map([['ci', 'day']]))
    expect(ledger.spent('ci')).toBe(4)
    ledger.confirm(pending, 1)
    expect(ledger.spent('ci')).toBe(5)
    db.close()
  })

  it('drops a charge whose period ended before the log writer priced it', () => {
    let now = Date.UTC(2026, 0, 31, 23, 59)
    const ledger = new SpendLedger(undefined, () => now)
    ledger.track(new Map([['ci', 'month']]))
    const late = event('ci', now)
    ledger.charge('ci', late, 3)
    now = Date.UTC(2026, 1, 1, 0, 1)
    expect(ledger.spent('ci')).toBe(0)
    ledger.confirm(late, 3)
    expect(ledger.spent('ci')).toBe(0)
  })
})

describe('BudgetGate', () => {
  it('admits while spend and reservations fit, one call alone, and nothing once spent', () => {
    const gate = new BudgetGate()
    expect(gate.room(0, 5, undefined)).toBe('open')
    const first = gate.hold(undefined)
    // Unknown cost with a call in flight: wait for it.
    expect(gate.room(0, 5, undefined)).toBe('held')
    gate.release(first, 'm', 1, true)
    expect(gate.highest('m')).toBe(1)
    const holds = [1, 2, 3, 4].map(() => gate.hold(1))
    expect(gate.room(1, 5, 1)).toBe('held')
    for (const h of holds) gate.release(h, 'm', 1, true)
    // $0.50 left and nothing in flight: one more call goes, the budget's single overspend.
    expect(gate.room(4.5, 5, 1)).toBe('open')
    expect(gate.room(5, 5, 1)).toBe('spent')
    // A failure that cost nothing teaches nothing about the model's price.
    gate.release(gate.hold(1), 'n', 0, false)
    expect(gate.highest('n')).toBeUndefined()
  })
})
