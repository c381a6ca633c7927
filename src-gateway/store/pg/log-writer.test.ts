import type { PoolClient } from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { parseConfig } from '../../config/load.js'
import type { LogEvent } from '../../core/log-event.js'
import { createPriceBook } from '../../pricing/price-book.js'
import { createBodyCipher } from '../body-cipher.js'
import type { WriterEpisode } from '../write-episodes.js'
import { createPgLogWriter, pgTarget } from './log-writer.js'
import { migratePg } from './migrations.js'
import { openPgPool, type PgPool } from './pool.js'

const SECRET = 'sk-upstream-0123456789abcdef'
const config = parseConfig(`providers: { openai: { type: openai, apiKey: ${SECRET} } }`, 'yaml').resolved
const priceBook = createPriceBook(config)
const DAY = Date.parse('2025-01-01T00:00:00Z')

let seq = 0
const event = (over: Partial<LogEvent> = {}): LogEvent => ({
  requestId: `req_${++seq}`,
  startedAt: DAY + 3_600_000 + seq,
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

const until = async (done: () => boolean | Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

let server: PostgresServer
let pool: PgPool

beforeAll(async () => {
  server = await startPostgres()
  pool = await openPgPool(server.url)
  await migratePg(pool)
})

afterAll(async () => {
  await pool?.close()
  await server?.stop()
})

beforeEach(async () => {
  await pool.query(
    'TRUNCATE request_logs, log_rollup_hours, log_rollup_days, log_rollup_guardrails, log_rollup_redactions',
  )
})

const count = async (where = 'true') =>
  (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM request_logs WHERE ${where}`))[0].n

describe('Postgres log writer', () => {
  it('prices rows at flush time, writes a flush as one insert, and rolls up in the same transaction', async () => {
    const priced: number[] = []
    const writer = createPgLogWriter(pgTarget(pool), { priceBook, onPriced: (_e, usd) => priced.push(usd) })
    writer.push(event({ requestId: 'a' }))
    writer.push(event({ requestId: 'b', model: 'unknown-model-x' }))
    writer.push(event({ requestId: 'c', inputTokens: undefined, outputTokens: undefined, status: 500 }))
    expect(writer.stats().pending).toBe(3)
    await writer.flush()
    const rows = await pool.query<{ request_id: string; cost_usd: number | null; created_at: number }>(
      'SELECT request_id, cost_usd, created_at FROM request_logs ORDER BY id',
    )
    expect(rows.map((r) => [r.request_id, r.cost_usd])).toEqual([
      ['a', 12.5],
      ['b', null],
      ['c', null],
    ])
    expect(rows[0].created_at).toBeGreaterThan(DAY)
    expect(priced).toEqual([12.5])
    expect(writer.stats()).toEqual({ written: 3, pending: 0, retries: 0, dropped: 0, bodiesDropped: 0, failing: false })
    const cells = await pool.query<{ dim: string; value: string; requests: number; errors: number; cost_usd: number }>(
      `SELECT dim, value, requests, errors, cost_usd FROM log_rollup_hours WHERE dim IN ('all', 'status') ORDER BY dim, value`,
    )
    expect(cells).toEqual([
      { dim: 'all', value: '', requests: 3, errors: 1, cost_usd: 12.5 },
      { dim: 'status', value: '2xx', requests: 2, errors: 0, cost_usd: 12.5 },
      { dim: 'status', value: '5xx', requests: 1, errors: 1, cost_usd: 0 },
    ])
    const [day] = await pool.query<{ start: number; requests: number; latency_sketch: Record<string, number> }>(
      `SELECT start, requests, latency_sketch FROM log_rollup_days WHERE dim = 'all'`,
    )
    expect(day.start).toBe(DAY / 1000)
    expect(day.requests).toBe(3)
    expect(Object.values(day.latency_sketch)).toEqual([3])
    await writer.close()
  })

  it('writes a full batch at once and a backlog in chunks of maxRows', async () => {
    const writer = createPgLogWriter(pgTarget(pool), { maxRows: 100, flushMs: 60_000 })
    for (let i = 0; i < 250; i++) writer.push(event())
    await until(async () => writer.stats().pending === 50)
    expect(await count()).toBe(200)
    await writer.flush()
    expect(await count()).toBe(250)
    const [all] = await pool.query<{ n: number }>(`SELECT sum(requests) AS n FROM log_rollup_hours WHERE dim = 'all'`)
    expect(all.n).toBe(250)
    await writer.close()
  })

  it('stores bodies with secrets stripped, searchable, and none when storeBodies is off', async () => {
    const writer = createPgLogWriter(pgTarget(pool), { secrets: [SECRET] })
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: `walrus key ${SECRET}` }] }
    writer.push(
      event({ requestId: 'with-body', requestBody: body, responseBody: { choices: [] }, error: `bad key ${SECRET}` }),
    )
    await writer.flush()
    const [row] = await pool.query<Record<string, string>>(
      `SELECT request_json, response_json, error, search::text AS search FROM request_logs`,
    )
    expect(row.request_json).toContain('walrus')
    expect(row.request_json).not.toContain('0123456789abcdef')
    expect(row.error).not.toContain('0123456789abcdef')
    expect(JSON.parse(row.response_json)).toEqual({ choices: [] })
    expect(row.search).not.toContain('0123456789abcdef')
    expect(await count(`search @@ to_tsquery('simple', 'walrus:B')`)).toBe(1)
    expect(await count(`search @@ to_tsquery('simple', 'with:A & body:A')`)).toBe(1)

    const off = createPgLogWriter(pgTarget(pool), { storeBodies: false })
    off.push(event({ requestId: 'bare', requestBody: body }))
    await off.flush()
    expect(await count(`request_id = 'bare' AND request_json IS NULL AND response_json IS NULL`)).toBe(1)
    await writer.close()
    await off.close()
  })

  it('seals bodies with a cipher and keeps their words out of the search document', async () => {
    const cipher = createBodyCipher(Buffer.alloc(32, 7))
    const writer = createPgLogWriter(pgTarget(pool), { cipher, secrets: [SECRET] })
    writer.push(event({ requestBody: { messages: [{ role: 'user', content: `pangolin ${SECRET}` }] } }))
    await writer.flush()
    const [row] = await pool.query<{ request_json: string }>('SELECT request_json FROM request_logs')
    expect(row.request_json.startsWith('enc:v1:')).toBe(true)
    expect(row.request_json).not.toContain('pangolin')
    const opened = cipher.open(row.request_json)
    expect(opened).toContain('pangolin')
    expect(opened).not.toContain('0123456789abcdef')
    expect(await count(`search @@ to_tsquery('simple', 'pangolin')`)).toBe(0)
    await writer.close()
  })

  it('stores what Postgres would refuse (NUL characters, fractional or huge counts) instead of failing every retry', async () => {
    const writer = createPgLogWriter(pgTarget(pool))
    writer.push(event({ requestId: 'nul', error: 'bad\u0000byte', requestBody: 'raw\u0000text', inputTokens: 1.5 }))
    writer.push(event({ requestId: 'huge', outputTokens: 1e12 }))
    await writer.flush()
    expect(writer.stats()).toMatchObject({ written: 2, failing: false })
    const rows = await pool.query<{ error: string | null; input_tokens: number; output_tokens: number | null }>(
      'SELECT error, input_tokens, output_tokens FROM request_logs ORDER BY id',
    )
    expect(rows[0]).toMatchObject({ error: 'badbyte', input_tokens: 2 })
    expect(rows[1].output_tokens).toBeNull()
    await writer.close()
  })

  it('drops a row Postgres refuses, alone, and writes the rest of its batch', async () => {
    const warnings: string[] = []
    const writer = createPgLogWriter(pgTarget(pool), { warn: (m) => warnings.push(m) })
    for (let i = 0; i < 40; i++) writer.push(event({ requestId: `ok-${i}` }))
    // No status: the NOT NULL column refuses the row on every try.
    writer.push(event({ requestId: 'refused', status: Number.NaN }))
    for (let i = 40; i < 60; i++) writer.push(event({ requestId: `ok-${i}` }))
    await writer.flush()
    expect(writer.stats()).toMatchObject({ written: 60, dropped: 1, pending: 0, failing: false })
    expect(await count()).toBe(60)
    expect(warnings).toEqual([expect.stringMatching(/refused row refused .*dropped/)])
    writer.push(event())
    await writer.flush()
    expect(await count()).toBe(61)
    await writer.close()
  })

  it('rolls guardrail hits and redactions up by hour', async () => {
    const writer = createPgLogWriter(pgTarget(pool))
    const guardrails = [{ check: 'pii', stage: 'input', action: 'flag' }] as LogEvent['guardrails']
    writer.push(event({ guardrails, redactions: { email: 2 } }))
    writer.push(event({ guardrails, redactions: { email: 1, phone: 1 } }))
    await writer.flush()
    expect(await pool.query('SELECT check_name, stage, action, count FROM log_rollup_guardrails')).toEqual([
      { check_name: 'pii', stage: 'input', action: 'flag', count: 2 },
    ])
    expect(await pool.query('SELECT type, count FROM log_rollup_redactions ORDER BY type')).toEqual([
      { type: 'email', count: 3 },
      { type: 'phone', count: 1 },
    ])
    await writer.close()
  })

  it('makes the partition of a day that has none before writing into it', async () => {
    const writer = createPgLogWriter(pgTarget(pool))
    const later = Date.parse('2031-06-15T12:00:00Z')
    writer.push(event({ startedAt: later }))
    await writer.flush()
    expect(writer.stats().written).toBe(1)
    expect(await pool.query(`SELECT to_regclass('request_logs_20310615')::text AS t`)).toEqual([
      { t: 'request_logs_20310615' },
    ])
    await writer.close()
  })

  it('writes a batch once when its COMMIT landed but the answer was lost', async () => {
    let failCommit = true
    let inserted = false
    const flaky: PgPool = {
      ...pool,
      pool: {
        connect: async () => {
          const client = await pool.pool.connect()
          const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>
          return Object.assign(Object.create(client) as PoolClient, {
            query: async (...args: unknown[]) => {
              const out = await query(...args)
              if (String(args[0]).startsWith('INSERT INTO request_logs')) inserted = true
              if (args[0] === 'COMMIT' && inserted && failCommit) {
                failCommit = false
                throw new Error('Connection terminated unexpectedly')
              }
              return out
            },
            release: (err?: Error) => client.release(err),
          })
        },
      } as unknown as PgPool['pool'],
    }
    const warnings: string[] = []
    const writer = createPgLogWriter(pgTarget(flaky), { warn: (m) => warnings.push(m) })
    for (let i = 0; i < 5; i++) writer.push(event())
    await writer.flush()
    expect(writer.stats()).toMatchObject({ failing: true, pending: 5 })
    expect(await count()).toBe(5)
    await until(() => writer.stats().pending === 0)
    expect(await count()).toBe(5)
    expect(writer.stats()).toMatchObject({ written: 5, failing: false, dropped: 0 })
    await writer.close()
  })

  it('keeps rows in a bounded queue while Postgres is down and writes each once when it is back', async () => {
    const episodes: WriterEpisode['state'][] = []
    const warnings: string[] = []
    const own = await openPgPool(server.url)
    const writer = createPgLogWriter(pgTarget(own), {
      maxQueueRows: 100,
      flushMs: 20,
      onEpisode: (e) => episodes.push(e.state),
      warn: (m) => warnings.push(m),
    })
    const body = { messages: [{ role: 'user', content: 'hello' }] }
    for (let i = 0; i < 10; i++) writer.push(event({ requestBody: body }))
    await writer.flush()
    expect(await count()).toBe(10)
    // The test server runs with synchronous_commit off: a crash may lose the last acknowledged commits.
    await pool.query('CHECKPOINT')
    await server.pause()
    try {
      for (let i = 0; i < 150; i++) writer.push(event({ requestBody: body }))
      await until(() => writer.stats().failing)
      for (let i = 0; i < 50; i++) writer.push(event({ requestBody: body }))
      const s = writer.stats()
      expect(s.pending).toBeLessThanOrEqual(100)
      expect(s.dropped).toBeGreaterThan(0)
      expect(s.bodiesDropped).toBeGreaterThan(0)
      expect(episodes).toEqual(['failing'])
    } finally {
      await server.resume()
    }
    await until(() => writer.stats().pending === 0 && !writer.stats().failing, 30_000)
    const { written, dropped } = writer.stats()
    expect(written + dropped).toBe(210)
    // A flush whose COMMIT landed as the server went down is counted dropped if the bound then took its rows.
    const stored = await count()
    expect(stored).toBeGreaterThanOrEqual(written)
    expect(stored).toBeLessThanOrEqual(written + dropped)
    const [dupes] = await pool.query<{ n: number }>(
      'SELECT count(*) - count(DISTINCT request_id) AS n FROM request_logs',
    )
    expect(dupes.n).toBe(0)
    // Only the newest tenth of a full queue kept its bodies.
    expect(await count('request_json IS NOT NULL')).toBeLessThanOrEqual(10 + 10)
    expect(episodes).toEqual(['failing', 'recovered'])
    expect(warnings.some((w) => w.includes('recovered'))).toBe(true)
    const [all] = await pool.query<{ n: number }>(`SELECT sum(requests) AS n FROM log_rollup_hours WHERE dim = 'all'`)
    expect(all.n).toBe(stored)
    await writer.close()
    await own.close()
  })

  it('gives rows up after the close grace when Postgres stays down, and says how many', async () => {
    const own = await openPgPool(server.url)
    const warnings: string[] = []
    const writer = createPgLogWriter(pgTarget(own), { closeGraceMs: 300, warn: (m) => warnings.push(m) })
    await server.pause()
    try {
      writer.push(event())
      writer.push(event())
      await writer.close()
    } finally {
      await server.resume()
    }
    expect(writer.stats()).toMatchObject({ dropped: 2, pending: 0 })
    expect(warnings.at(-1)).toMatch(/2 rows could not be written to Postgres at shutdown/)
    await own.close()
  })

  it('two writers on two pools add into the same rollup cells without losing a count', async () => {
    const other = await openPgPool(server.url)
    const a = createPgLogWriter(pgTarget(pool), { maxRows: 50, flushMs: 5 })
    const b = createPgLogWriter(pgTarget(other), { maxRows: 50, flushMs: 5 })
    for (let i = 0; i < 400; i++) {
      const e = event({ workspace: 'ws', person: `p${i % 3}` })
      ;(i % 2 ? a : b).push(e)
      if (i % 40 === 0) await new Promise((r) => setTimeout(r, 1))
    }
    await Promise.all([a.flush(), b.flush()])
    expect(a.stats().failing || b.stats().failing).toBe(false)
    expect(await count()).toBe(400)
    const sums = await pool.query<{ dim: string; n: number }>(
      `SELECT dim, sum(requests) AS n FROM log_rollup_hours GROUP BY dim ORDER BY dim`,
    )
    for (const { n } of sums) expect(n).toBe(400)
    await Promise.all([a.close(), b.close()])
    await other.close()
  })
})
