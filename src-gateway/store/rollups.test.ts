import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LogEvent } from '../core/log-event.js'
import { closeDatabase, type Db, openDatabase } from './db.js'
import { createLogWriter } from './log-writer.js'
import { HOUR_MS, MINUTE_CELLS_KEEP_MS, rollUpNewRows } from './rollups.js'

const T = Date.parse('2025-06-01T12:00:00Z')
const event = (over: Partial<LogEvent> = {}): LogEvent => ({
  requestId: 'req',
  startedAt: T,
  inboundApi: 'openai',
  requestedModel: 'gpt-4o',
  provider: 'openai',
  model: 'gpt-4o',
  status: 200,
  latencyMs: 100,
  stream: false,
  attempts: 1,
  inputTokens: 10,
  outputTokens: 5,
  ...over,
})

const cells = (db: Db, table: string, dim: string) =>
  db
    .prepare(
      `SELECT start, value, requests, errors, input_tokens AS inputTokens FROM ${table} WHERE dim = ? ORDER BY 1, 2`,
    )
    .all(dim) as { start: number; value: string; requests: number; errors: number; inputTokens: number }[]
const watermark = (db: Db) => db.prepare('SELECT rolled_id FROM log_rollup_state').pluck().get()

describe('rollups', () => {
  it('the log writer rolls up each flushed row into minute and hour cells per dimension', () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db)
    writer.push(event())
    writer.push(event({ startedAt: T + 61_000, model: 'claude', provider: 'anthropic', status: 502, keyName: 'ci' }))
    writer.push(
      event({
        startedAt: T + HOUR_MS,
        guardrails: [{ stage: 'input', type: 't', check: 'c', action: 'block', detail: '' }],
      }),
    )
    writer.flush()
    const t = T / 1000
    expect(cells(db, 'log_rollup_hours', 'all')).toEqual([
      { start: t, value: '', requests: 2, errors: 1, inputTokens: 20 },
      { start: t + 3600, value: '', requests: 1, errors: 0, inputTokens: 10 },
    ])
    expect(cells(db, 'log_rollup_hours', 'key').map((c) => [c.start, c.value, c.requests])).toEqual([
      [t, '', 1],
      [t, 'ci', 1],
      [t + 3600, '', 1],
    ])
    expect(cells(db, 'log_rollup_hours', 'status').map((c) => [c.value, c.requests])).toEqual([
      ['2xx', 1],
      ['5xx', 1],
      ['2xx', 1],
    ])
    // Day cells are written with the hour cells: the day's cell holds all three rows.
    expect(cells(db, 'log_rollup_days', 'all')).toEqual([
      { start: Math.floor(T / 86_400_000) * 86_400, value: '', requests: 3, errors: 1, inputTokens: 30 },
    ])
    // Rows this old are outside the minute cells' keep unless rolled up with a clock of their time.
    expect(cells(db, 'log_rollup_minutes', 'all')).toEqual([])
    expect(db.prepare('SELECT * FROM log_rollup_guardrails').all()).toEqual([
      { start: t + 3600, check_name: 'c', stage: 'input', action: 'block', count: 1 },
    ])
    expect(watermark(db)).toBe(3)

    // A later flush adds to the existing cells, merging their sketches.
    writer.push(event({ latencyMs: 300 }))
    writer.flush()
    expect(cells(db, 'log_rollup_hours', 'model').map((c) => [c.value, c.requests])).toEqual([
      ['claude', 1],
      ['gpt-4o', 2],
      ['gpt-4o', 1],
    ])
    const sketch = db
      .prepare(
        `SELECT length(latency_sketch) FROM log_rollup_hours WHERE dim = 'model' AND value = 'gpt-4o' AND start = ?`,
      )
      .pluck()
      .get(t)
    expect(sketch).toBe(12) // two bins (100 ms and 300 ms) of 6 bytes
    db.close()
  })

  it('rolls up rows written outside the writer when the database opens, in steps, and keeps minutes for a while', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-rollups-'))
    try {
      // Half a minute into a minute: the trim below cuts at whole seconds, so a `now` in a minute's first second
      // would keep the 51st cell (a 1-in-60 flake).
      const now = Math.floor(Date.now() / 60_000) * 60_000 - 30_000
      let db = openDatabase(dir)
      // Rows as an older version (or a bulk import) would leave them: no rollup yet.
      const insert = db.prepare(
        `INSERT INTO request_logs (created_at, request_id, inbound_api, model, status, latency_ms)
         VALUES (?, 'r', 'openai', 'm', 200, 5)`,
      )
      db.transaction(() => {
        for (let i = 0; i < 45_000; i++) insert.run(new Date(now - (i % 100) * 60_000).toISOString())
      })()
      insert.run(new Date(now - MINUTE_CELLS_KEEP_MS - HOUR_MS).toISOString())
      closeDatabase(db)

      db = openDatabase(dir)
      expect(watermark(db)).toBe(45_001)
      const sum = (table: string) =>
        db.prepare(`SELECT sum(requests) FROM ${table} WHERE dim = 'all'`).pluck().get() as number
      expect(sum('log_rollup_hours')).toBe(45_001)
      expect(sum('log_rollup_minutes')).toBe(45_000) // the row older than the keep has no minute cell
      expect(db.prepare("SELECT count(*) FROM log_rollup_minutes WHERE dim = 'all'").pluck().get()).toBe(100)
      expect(rollUpNewRows(db)).toBe(0)

      // Minute cells past their keep are trimmed; hour cells stay.
      rollUpNewRows(db, now + MINUTE_CELLS_KEEP_MS - 50 * 60_000)
      expect(db.prepare("SELECT count(*) FROM log_rollup_minutes WHERE dim = 'all'").pluck().get()).toBe(50)
      expect(sum('log_rollup_hours')).toBe(45_001)
      closeDatabase(db)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps hour and day cells per workspace, and gives rows rolled up before them theirs once', () => {
    const db = openDatabase(':memory:')
    const insert = db.prepare(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, model, status, latency_ms, workspace)
       VALUES (?, 'r', 'openai', ?, 200, 5, ?)`,
    )
    const at = new Date(T).toISOString()
    for (const [model, workspace] of [
      ['m1', 'alpha'],
      ['m1', 'alpha'],
      ['m2', 'alpha'],
      ['m1', 'beta'],
      ['m1', null],
    ])
      insert.run(at, model, workspace)
    rollUpNewRows(db, T)
    const perWorkspace = () => ({
      hours: cells(db, 'log_rollup_hours', 'ws:model').map((c) => [c.value, c.requests]),
      days: cells(db, 'log_rollup_days', 'ws:model').map((c) => [c.value, c.requests]),
      minutes: cells(db, 'log_rollup_minutes', 'ws:model').length,
    })
    const expected = {
      hours: [
        ['alpha\u0000m1', 2],
        ['alpha\u0000m2', 1],
        ['beta\u0000m1', 1],
      ],
      days: [
        ['alpha\u0000m1', 2],
        ['alpha\u0000m2', 1],
        ['beta\u0000m1', 1],
      ],
      minutes: 0,
    }
    expect(perWorkspace()).toEqual(expected)
    const all = cells(db, 'log_rollup_hours', 'all')
    // As a database rolled up before per-workspace cells: the next roll-up adds them, once, and nothing else.
    db.exec("DELETE FROM log_rollup_hours WHERE dim LIKE 'ws:%'; DELETE FROM log_rollup_days WHERE dim LIKE 'ws:%'")
    db.exec('UPDATE log_rollup_state SET workspace_rolled_id = 0')
    expect(rollUpNewRows(db, T)).toBe(0)
    expect(perWorkspace()).toEqual(expected)
    expect(cells(db, 'log_rollup_hours', 'all')).toEqual(all)
    expect(db.prepare('SELECT workspace_rolled_id FROM log_rollup_state').pluck().get()).toBe(watermark(db))
    rollUpNewRows(db, T)
    expect(perWorkspace()).toEqual(expected)
    closeDatabase(db)
  })

  it('a failed flush leaves neither rows nor rollups behind', () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db)
    db.exec(`CREATE TRIGGER fail BEFORE UPDATE ON log_rollup_state BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
    writer.push(event())
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    writer.flush()
    process.off('warning', onWarning)
    expect(db.prepare('SELECT count(*) FROM request_logs').pluck().get()).toBe(0)
    expect(db.prepare('SELECT count(*) FROM log_rollup_hours').pluck().get()).toBe(0)
    db.exec('DROP TRIGGER fail')
    writer.flush()
    expect(db.prepare("SELECT sum(requests) FROM log_rollup_hours WHERE dim = 'all'").pluck().get()).toBe(1)
    db.close()
  })
})

describe('day cells of a database from before they were kept live', () => {
  it('adds the hour cells it kept to their days once, then keeps the days up to date', () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db)
    writer.push(event())
    writer.push(event({ startedAt: T + HOUR_MS, status: 500 }))
    writer.flush()
    // What such a database looks like: hour cells not yet in any day cell.
    db.exec('DELETE FROM log_rollup_days; UPDATE log_rollup_state SET days_live = 0')

    writer.push(event({ startedAt: T + 2 * HOUR_MS }))
    writer.flush()
    const day = Math.floor(T / 86_400_000) * 86_400
    expect(cells(db, 'log_rollup_days', 'all')).toEqual([
      { start: day, value: '', requests: 3, errors: 1, inputTokens: 30 },
    ])
    expect(cells(db, 'log_rollup_days', 'status').map((c) => [c.value, c.requests])).toEqual([
      ['2xx', 2],
      ['5xx', 1],
    ])
    // Once only: later roll-ups add their own rows and nothing else.
    rollUpNewRows(db)
    writer.push(event({ startedAt: T + 3 * HOUR_MS }))
    writer.flush()
    expect(cells(db, 'log_rollup_days', 'all')).toEqual([
      { start: day, value: '', requests: 4, errors: 1, inputTokens: 40 },
    ])
    closeDatabase(db)
  })

  it('a flush rolls up the rows it wrote from memory into the same cells a roll-up read back from the log makes', () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db)
    const now = Date.now()
    for (let i = 0; i < 40; i++)
      writer.push(
        event({
          startedAt: now - i * 7 * 60_000,
          model: i % 3 ? 'gpt-4o' : 'claude',
          keyName: i % 4 ? 'ci' : undefined,
          status: i % 5 ? 200 : 429,
          latencyMs: 20 + i * 13,
          ttftMs: i % 2 ? 5 + i : undefined,
          redactions: i % 6 ? undefined : { email: 1 },
        }),
      )
    writer.flush()
    const tables = ['log_rollup_minutes', 'log_rollup_hours', 'log_rollup_days', 'log_rollup_redactions']
    const dump = () => tables.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all())
    const fromMemory = dump()
    expect(fromMemory[0].length).toBeGreaterThan(40)
    for (const t of tables) db.exec(`DELETE FROM ${t}`)
    db.exec('UPDATE log_rollup_state SET rolled_id = 0')
    rollUpNewRows(db)
    expect(dump()).toEqual(fromMemory)
    closeDatabase(db)
  })
})
