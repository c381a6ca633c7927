import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load.js'
import type { LogEvent } from '../core/log-event.js'
import { createPriceBook } from '../pricing/price-book.js'
import { buildProviders } from '../routing/providers.js'
import { openDatabase } from './db.js'
import { createLogWriter } from './log-writer.js'

const config = parseConfig(
  'providers: { openai: { type: openai, apiKey: sk-upstream-0123456789abcdef } }',
  'yaml',
).resolved
const priceBook = createPriceBook(config, buildProviders(config))

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
    expect(writer.stats()).toEqual({ written: 3, pending: 0, retries: 0 })
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
    expect(writer.stats()).toEqual({ written: 1, pending: 0, retries: 0 })
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
