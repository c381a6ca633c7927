import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load.js'
import type { LogEvent } from '../core/log-event.js'
import { createPriceBook } from '../pricing/price-book.js'
import { openDatabase } from './db.js'
import { createLogWriter } from './log-writer.js'

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
    expect(writer.stats()).toEqual({ written: 3, pending: 0, retries: 0, dropped: 0 })
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
    expect(writer.stats()).toEqual({ written: 1, pending: 0, retries: 0, dropped: 0 })
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
    expect(writer.stats()).toEqual({ written: 2, pending: 0, retries: 0, dropped: 0 })
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
