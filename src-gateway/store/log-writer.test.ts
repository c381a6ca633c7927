import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../config/load.js'
import type { LogEvent } from '../core/log-event.js'
import { createPriceBook } from '../pricing/price-book.js'
import { openDatabase } from './db.js'
import { createLogWriter, type LogWriterOptions } from './log-writer.js'

const config = parseConfig(
  'providers: { openai: { type: openai, apiKey: sk-upstream-0123456789abcdef } }',
  'yaml',
).resolved
const priceBook = createPriceBook(config)

const event = (over: Partial<LogEvent> = {}): LogEvent => ({
  requestId: 'req_1',
  startedAt: Date.parse('2025-01-01T00:00:00Z'),
  inboundApi: 'openai',
  requestedModel: 'gpt-4o',
  provider: 'openai',
  model: 'gpt-4o',
  status: 200,
  latencyMs: 12,
  stream: false,
  attempts: 1,
  inputTokens: 1_000_000,
  outputTokens: 1_000_000,
  ...over,
})

describe('log writer', () => {
  it('prices rows at flush time and reports each priced row', () => {
    const db = openDatabase(':memory:')
    const priced: number[] = []
    const writer = createLogWriter(db, { priceBook, onPriced: (_e, usd) => priced.push(usd) })
    writer.push(event())
    writer.push(event({ model: 'unknown-model-x' }))
    writer.push(event({ inputTokens: undefined, outputTokens: undefined, status: 500 }))
    expect(writer.stats().pending).toBe(3)
    writer.flush()
    const costs = db.prepare('SELECT cost_usd FROM request_logs ORDER BY id').pluck().all()
    expect(costs).toEqual([12.5, null, null])
    expect(priced).toEqual([12.5])
    expect(writer.stats()).toEqual({ written: 3, pending: 0, retries: 0, dropped: 0, bodiesDropped: 0, failing: false })
    db.close()
  })

  it('stores bodies with secrets stripped, and none when storeBodies is off', () => {
    const db = openDatabase(':memory:')
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'key sk-upstream-0123456789abcdef' }] }
    const writer = createLogWriter(db, { secrets: ['sk-upstream-0123456789abcdef'] })
    writer.push(event({ requestBody: body, responseBody: { choices: [] } }))
    writer.flush()
    const row = db.prepare('SELECT request_json, response_json FROM request_log_bodies').get() as Record<string, string>
    expect(row.request_json).toContain('gpt-4o')
    expect(row.request_json).not.toContain('0123456789abcdef')
    expect(JSON.parse(row.response_json)).toEqual({ choices: [] })

    const off = createLogWriter(db, { storeBodies: false })
    off.push(event({ requestBody: body }))
    off.flush()
    expect(db.prepare('SELECT count(*) FROM request_log_bodies').pluck().get()).toBe(1)
    expect(db.prepare('SELECT count(*) FROM request_logs').pluck().get()).toBe(2)
    db.close()
  })

  it('keeps a row whose body cannot be serialized, without the body', () => {
    const db = openDatabase(':memory:')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const writer = createLogWriter(db)
    writer.push(event({ requestBody: cyclic }))
    writer.flush()
    expect(writer.stats()).toEqual({ written: 1, pending: 0, retries: 0, dropped: 0, bodiesDropped: 0, failing: false })
    db.close()
  })

  it('strips secrets from error messages, and from secrets set after start', () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db, { secrets: ['sk-upstream-0123456789abcdef'] })
    writer.setSecrets(['later-added-provider-key-42'])
    writer.push(
      event({
        status: 401,
        error: 'upstream said: bad key later-added-provider-key-42',
        attemptFailures: [
          { provider: 'openai', model: 'gpt-4o', status: 401, error: 'key later-added-provider-key-42' },
        ],
        requestBody: { note: 'later-added-provider-key-42' },
      }),
    )
    writer.flush()
    const row = db
      .prepare('SELECT error, attempt_failures_json, request_json FROM request_logs JOIN request_log_bodies')
      .get()
    expect(JSON.stringify(row)).not.toContain('later-added-provider-key-42')
    expect(JSON.stringify(row)).toContain('[redacted]')
    db.close()
  })
})

describe('log writer after close', () => {
  it('writes a row pushed after close at once while the database is open', async () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db, { flushMs: 5 })
    writer.push(event({ requestId: 'before' }))
    await writer.close()
    // A call that ended during shutdown (its tokens were being estimated) pushes its row late.
    writer.push(event({ requestId: 'late' }))
    expect(db.prepare('SELECT request_id FROM request_logs ORDER BY id').pluck().all()).toEqual(['before', 'late'])
    expect(writer.stats()).toEqual({ written: 2, pending: 0, retries: 0, dropped: 0, bodiesDropped: 0, failing: false })
    db.close()
  })

  it('reports a row it can no longer write instead of throwing from a timer', async () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db, { flushMs: 5 })
    await writer.close()
    db.close()
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown) => uncaught.push(err)
    process.on('warning', onWarning)
    process.prependListener('uncaughtException', onUncaught)
    try {
      writer.push(event({ requestId: 'too-late' }))
      // Longer than the flush timer, so a timer flush on the closed database would have run by now.
      await new Promise((r) => setTimeout(r, 50))
    } finally {
      process.off('warning', onWarning)
      process.off('uncaughtException', onUncaught)
    }
    expect(uncaught).toEqual([])
    expect(warnings.some((w) => w.includes('too-late'))).toBe(true)
    expect(writer.stats()).toMatchObject({ pending: 0, dropped: 1 })
  })

  it('names its warnings, so the process prints them as SwitchyardLogWriter: … and not a bare Warning', async () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db)
    await writer.close()
    db.close()
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      writer.push(event({ requestId: 'late-1' }))
      writer.push(event({ requestId: 'late-2' }))
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.map((w) => w.name)).toEqual(['SwitchyardLogWriter', 'SwitchyardLogWriter'])
    expect(warnings[1].message).toMatch(/^request log database is closed; 1 row not written: late-2$/)
  })

  it('flushes into a closed database without throwing, and counts the rows it lost', async () => {
    const db = openDatabase(':memory:')
    const writer = createLogWriter(db, { flushMs: 5 })
    writer.push(event({ requestId: 'queued' }))
    db.close()
    expect(() => writer.flush()).not.toThrow()
    expect(writer.stats()).toMatchObject({ pending: 0, dropped: 1 })
    await writer.close()
  })
})

describe('log writer on a full disk', () => {
  // SQLite's own "database or disk is full" (SQLITE_FULL): the database may not grow past its size now.
  const fill = (db: ReturnType<typeof openDatabase>) => {
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`)
    // Uses up the room left in the log's pages, so the next row needs a page the database may not add.
    const add = db.prepare(
      `INSERT INTO request_logs (created_at, request_id, inbound_api, requested_model, status, latency_ms, attempts)
       VALUES ('2025-01-01T00:00:00.000Z', 'filler', 'openai', 'm', 200, 1, 1)`,
    )
    try {
      for (;;) add.run()
    } catch {}
  }
  /** A writer over a database that is full from the start, with the warnings it gave. */
  const onFullDisk = (options: LogWriterOptions = {}) => {
    const db = openDatabase(':memory:')
    fill(db)
    const warnings: string[] = []
    const writer = createLogWriter(db, { warn: (m) => warnings.push(m), ...options })
    return { db, writer, warnings }
  }
  const free = (db: ReturnType<typeof openDatabase>) => db.pragma('max_page_count = 1000000000')
  const body = { messages: [{ role: 'user', content: 'x'.repeat(2000) }] }
  const count = (db: ReturnType<typeof openDatabase>, table: string) =>
    db.prepare(`SELECT count(*) FROM ${table}`).pluck().get()

  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('backs off after a failed flush, 100 ms doubling to 30 s, however many rows arrive', async () => {
    const { db, writer, warnings } = onFullDisk()
    writer.push(event({ requestBody: body }))
    await vi.advanceTimersByTimeAsync(200)
    expect(writer.stats().retries).toBe(1)
    // A busy gateway: 1,000 rows a second keep arriving while the disk is full.
    const retriesAt: number[] = []
    for (let ms = 1; ms <= 3100; ms++) {
      writer.push(event({ requestBody: body }))
      await vi.advanceTimersByTimeAsync(1)
      if (writer.stats().retries > retriesAt.length + 1) retriesAt.push(ms)
    }
    // Failed at 0, then retried 100, 200, 400, 800, 1600 ms after each failure: 100, 300, 700, 1500, 3100.
    expect(retriesAt).toEqual([100, 300, 700, 1500, 3100])
    // Far later, the wait stays at 30 s.
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    const before = writer.stats().retries
    await vi.advanceTimersByTimeAsync(60_000)
    expect(writer.stats().retries - before).toBe(2)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/request log: writes are failing \(database or disk is full\)/)
    db.close()
  })

  it('holds at most maxQueueRows: bodies of the oldest rows go first, then the oldest rows, all counted', async () => {
    const { db, writer, warnings } = onFullDisk({ maxQueueRows: 1000 })
    writer.push(event({ requestId: 'r0', requestBody: body }))
    await vi.advanceTimersByTimeAsync(250)
    expect(writer.stats().retries).toBe(1)
    for (let i = 1; i < 3000; i++) writer.push(event({ requestId: `r${i}`, requestBody: body }))
    await vi.advanceTimersByTimeAsync(1000)
    const { pending, dropped } = writer.stats()
    expect(pending).toBeLessThanOrEqual(1000)
    expect(pending + dropped).toBe(3000)
    free(db)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(writer.stats()).toMatchObject({ pending: 0, written: pending, dropped })
    const ids = db.prepare("SELECT request_id FROM request_logs WHERE request_id != 'filler' ORDER BY id").pluck().all()
    expect(ids.at(-1)).toBe('r2999')
    expect(ids).not.toContain('r0')
    // Only the newest tenth of the queue kept its body.
    expect(count(db, 'request_log_bodies')).toBe(100)
    expect(count(db, 'request_log_bodies')).toBeLessThan(pending)
    // One line when it started, one when it ended, with what was lost.
    expect(warnings).toHaveLength(2)
    expect(warnings[1]).toMatch(new RegExp(`request log: writes recovered after .*; ${dropped} rows? dropped`))
    db.close()
  })

  it('tells its listener once per episode when writes fail and when they recover', async () => {
    const episodes: unknown[] = []
    const { db, writer } = onFullDisk({ onEpisode: (e) => episodes.push(e) })
    for (let i = 0; i < 50; i++) {
      writer.push(event())
      await vi.advanceTimersByTimeAsync(500)
    }
    free(db)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(episodes).toEqual([
      { state: 'failing', since: expect.any(Number), error: 'database or disk is full' },
      { state: 'recovered', since: expect.any(Number), dropped: 0 },
    ])
    db.close()
  })

  it('on close, keeps trying within the grace period, then reports exactly how many rows it could not write', async () => {
    const { db, writer, warnings } = onFullDisk({ closeGraceMs: 2000 })
    for (let i = 0; i < 7; i++) writer.push(event())
    const closed = writer.close()
    await vi.advanceTimersByTimeAsync(2500)
    await closed
    expect(writer.stats()).toMatchObject({ pending: 0, written: 0, dropped: 7 })
    expect(warnings.at(-1)).toBe(
      'request log: 7 rows could not be written at shutdown (database or disk is full); they are lost',
    )
    db.close()
  })

  it('on close, writes everything if the disk frees up within the grace period', async () => {
    const { db, writer, warnings } = onFullDisk({ closeGraceMs: 2000 })
    for (let i = 0; i < 7; i++) writer.push(event())
    const closed = writer.close()
    await vi.advanceTimersByTimeAsync(300)
    free(db)
    await vi.advanceTimersByTimeAsync(2000)
    await closed
    expect(writer.stats()).toMatchObject({ pending: 0, written: 7, dropped: 0 })
    expect(count(db, "request_logs WHERE request_id != 'filler'")).toBe(7)
    expect(warnings.join('\n')).not.toMatch(/could not be written/)
    db.close()
  })
})

describe('log writer in its worker thread (a database file)', () => {
  const dirs: string[] = []
  const fileDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-log-thread-'))
    dirs.push(dir)
    return openDatabase(dir)
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  /** Rows this connection wrote itself: the worker's rows are not among them. */
  const ownChanges = (db: ReturnType<typeof openDatabase>) =>
    db.prepare('SELECT total_changes()').pluck().get() as number
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10))
  }

  it('starts its thread only once a flush is busy: a quiet gateway writes here and keeps the memory', () => {
    const db = fileDb()
    const writer = createLogWriter(db)
    const before = ownChanges(db)
    for (let i = 0; i < 99; i++) writer.push(event({ requestId: `quiet-${i}` }))
    writer.flush()
    const quiet = ownChanges(db)
    expect(quiet).toBeGreaterThan(before)
    for (let i = 0; i < 100; i++) writer.push(event({ requestId: `busy-${i}` }))
    writer.flush()
    expect(ownChanges(db)).toBe(quiet)
    expect(db.prepare('SELECT count(*) FROM request_logs').pluck().get()).toBe(199)
    return writer.close().then(() => db.close())
  })

  it('writes off this connection, and flush() makes the rows readable here before it returns', async () => {
    const db = fileDb()
    const before = ownChanges(db)
    const priced: number[] = []
    const writer = createLogWriter(db, { thread: true, priceBook, onPriced: (_e, usd) => priced.push(usd) })
    for (let i = 0; i < 3; i++)
      writer.push(event({ requestId: `r${i}`, requestBody: { n: i }, responseBody: { ok: true } }))
    writer.flush()
    expect(db.prepare('SELECT request_id FROM request_logs ORDER BY id').pluck().all()).toEqual(['r0', 'r1', 'r2'])
    expect(db.prepare('SELECT count(*) FROM request_log_bodies').pluck().get()).toBe(3)
    expect(db.prepare("SELECT rowid FROM request_logs_fts WHERE request_logs_fts MATCH 'r1'").all()).toHaveLength(1)
    expect(priced).toEqual([12.5, 12.5, 12.5])
    expect(ownChanges(db)).toBe(before)
    expect(writer.stats()).toEqual({ written: 3, pending: 0, retries: 0, dropped: 0, bodiesDropped: 0, failing: false })
    await writer.close()
    db.close()
  })

  it('writes on its timer without a flush(), and strips secrets set after start', async () => {
    const db = fileDb()
    const writer = createLogWriter(db, { thread: true, flushMs: 5 })
    writer.setSecrets(['sk-upstream-0123456789abcdef'])
    writer.push(event({ error: 'upstream said: bad key sk-upstream-0123456789abcdef' }))
    await until(() => writer.stats().written === 1)
    expect(db.prepare('SELECT error FROM request_logs').pluck().get()).not.toContain('sk-upstream')
    await writer.close()
    db.close()
  })

  it('keeps the rows of a batch the database refused, and writes them once it takes rows again', async () => {
    const db = fileDb()
    // In the file, so the worker's connection meets it too.
    db.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON request_logs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    )
    const episodes: string[] = []
    const writer = createLogWriter(db, { thread: true, warn: () => {}, onEpisode: (e) => episodes.push(e.state) })
    writer.push(event({ requestId: 'kept' }))
    writer.flush()
    expect(writer.stats()).toMatchObject({ written: 0, pending: 1, failing: true, dropped: 0 })
    db.exec('DROP TRIGGER refuse')
    writer.flush()
    expect(db.prepare('SELECT request_id FROM request_logs').pluck().all()).toEqual(['kept'])
    expect(episodes).toEqual(['failing', 'recovered'])
    await writer.close()
    db.close()
  })

  it('stores a row whose body cannot cross to the thread, without the body', async () => {
    const db = fileDb()
    const writer = createLogWriter(db, { thread: true })
    writer.push(event({ requestId: 'fn', requestBody: { call: () => 1 } }))
    writer.push(event({ requestId: 'plain', requestBody: { n: 1 } }))
    writer.flush()
    expect(db.prepare('SELECT request_id FROM request_logs ORDER BY id').pluck().all()).toEqual(['fn', 'plain'])
    expect(db.prepare('SELECT count(*) FROM request_log_bodies').pluck().get()).toBe(1)
    await writer.close()
    db.close()
  })

  it('writes on this connection, with one warning, when its thread cannot run', async () => {
    const db = fileDb()
    const warnings: string[] = []
    const broken = () => new URL(`data:text/javascript,${encodeURIComponent('throw new Error("no sqlite here")')}`)
    const writer = createLogWriter(db, { thread: true, threadEntry: broken, warn: (m) => warnings.push(m) })
    writer.push(event({ requestId: 'kept' }))
    await until(() => writer.stats().written === 1)
    expect(db.prepare('SELECT request_id FROM request_logs').pluck().all()).toEqual(['kept'])
    expect(writer.stats()).toMatchObject({ retries: 0, dropped: 0, failing: false })
    expect(warnings).toEqual([expect.stringMatching(/no sqlite here.*written on the gateway's own thread/)])
    writer.push(event({ requestId: 'next' }))
    writer.flush()
    expect(db.prepare('SELECT count(*) FROM request_logs').pluck().get()).toBe(2)
    await writer.close()
    db.close()
  })

  it('after close, ends its thread and writes a late row on this connection', async () => {
    const db = fileDb()
    const writer = createLogWriter(db, { thread: true })
    writer.push(event({ requestId: 'before' }))
    await writer.close()
    const before = ownChanges(db)
    writer.push(event({ requestId: 'late' }))
    expect(db.prepare('SELECT request_id FROM request_logs ORDER BY id').pluck().all()).toEqual(['before', 'late'])
    expect(ownChanges(db)).toBeGreaterThan(before)
    db.close()
  })
})
