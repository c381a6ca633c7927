import { afterEach, describe, expect, it, vi } from 'vitest'
import { openDatabase } from '../store/db.js'
import { Alerts } from './alerts.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('log writer alerts', () => {
  it('raises one alert when writes start failing and one when they recover, even on a full database', async () => {
    vi.useFakeTimers()
    const db = openDatabase(':memory:')
    const warnings: string[] = []
    const alerts = new Alerts({}, { db, clock: Date.now, warn: (m) => warnings.push(m) })
    // The alerts table refuses rows too, as it does on a full disk.
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
    const since = Date.now()
    alerts.logWriterEpisode({ state: 'failing', since, error: 'database or disk is full' })
    alerts.logWriterEpisode({ state: 'failing', since, error: 'database or disk is full' })
    await vi.advanceTimersByTimeAsync(90_000)
    expect((await alerts.list({ limit: 10 })).items).toEqual([])
    expect(warnings).toEqual(['alert not stored yet: database or disk is full'])

    db.exec('DROP TRIGGER refuse')
    alerts.logWriterEpisode({ state: 'recovered', since, dropped: 1234 })
    await vi.advanceTimersByTimeAsync(30_000)
    const { items } = await alerts.list({ limit: 10 })
    expect(items.map((a) => [a.kind, a.level])).toEqual([
      ['log_writer', 'critical'],
      ['log_writer', 'critical'],
    ])
    expect(items[0].message).toMatch(
      /^request log writes work again after \d+ s; 1234 log rows were dropped meanwhile$/,
    )
    expect(items[1].message).toMatch(/^request log writes are failing \(database or disk is full\)/)
    await alerts.close()
    db.close()
  })
})
