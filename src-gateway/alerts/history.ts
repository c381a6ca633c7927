import type { Db } from '../store/db.js'

// What the anomaly detectors need from the request log to pick up where the last run left off. They read it through
// the LogStore (`anomalyHistory`), so with config `database` the baselines are the shared log's, every instance's
// calls; this is the SQLite side, store/pg/log-store.ts the Postgres one.

export interface AnomalyHistory {
  /** Spend per clock hour (hours since the epoch). */
  hourlySpend: { hour: number; usd: number }[]
  /** Requests per key per minute (minutes since the epoch). */
  keyMinutes: { key: string; minute: number; n: number }[]
}

/** Spend per hour from `spendSinceMs` on and requests per key per minute from `trafficSinceMs` on. */
export function sqliteAnomalyHistory(db: Db, spendSinceMs: number, trafficSinceMs: number): AnomalyHistory {
  const hourlySpend = db
    .prepare(
      `SELECT CAST(strftime('%s', created_at) AS INTEGER) / 3600 AS hour, SUM(cost_usd) AS usd
       FROM request_logs WHERE created_at >= ? AND cost_usd > 0 GROUP BY hour`,
    )
    .all(new Date(spendSinceMs).toISOString()) as AnomalyHistory['hourlySpend']
  const keyMinutes = db
    .prepare(
      `SELECT key_name AS key, CAST(strftime('%s', created_at) AS INTEGER) / 60 AS minute, COUNT(*) AS n
       FROM request_logs WHERE created_at >= ? AND key_name IS NOT NULL GROUP BY key_name, minute`,
    )
    .all(new Date(trafficSinceMs).toISOString()) as AnomalyHistory['keyMinutes']
  return { hourlySpend, keyMinutes }
}
