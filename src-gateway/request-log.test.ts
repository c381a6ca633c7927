import { afterEach, expect, it, vi } from 'vitest'
import { createRequestLog } from './request-log.js'
import { openDatabase } from './store/db.js'

afterEach(() => {
  vi.useRealTimers()
})

it('applies a changed retention policy without a restart', async () => {
  vi.useFakeTimers({ now: Date.parse('2026-06-01T00:00:00Z') })
  const db = openDatabase(':memory:')
  const insert = db.prepare(
    `INSERT INTO request_logs (created_at, request_id, inbound_api, status, latency_ms) VALUES (?, ?, 'openai', 200, 1)`,
  )
  for (let age = 0; age < 10; age++) insert.run(new Date(Date.now() - age * 86_400_000).toISOString(), `r${age}`)
  const log = createRequestLog({ logs: { maxAgeDays: 30 } }, db)
  const rows = () => (db.prepare('SELECT count(*) AS n FROM request_logs').get() as { n: number }).n

  await vi.advanceTimersByTimeAsync(6_000)
  expect(rows()).toBe(10)
  log.applyConfig({ logs: { maxAgeDays: 3 } })
  await vi.advanceTimersByTimeAsync(6_000)
  // Rows 3 days old and older are gone (ages 3..9), the newer ones stay.
  expect(rows()).toBe(3)

  await log.sink.close()
  db.close()
})
