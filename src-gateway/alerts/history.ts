import type { Db } from '../store/db.js'

// What the anomaly detectors need from the request log to pick up where the last run left off.

/** Spend per clock hour (hours since the epoch) from `sinceMs` on. */
export function hourlySpendSince(db: Db, sinceMs: number): { hour: number; usd: number }[] {
  return db
    .prepare(
      `SELECT CAST(strftime('%s', created_at) AS INTEGER) / 3600 AS hour, SUM(cost_usd) AS usd
       FROM request_logs WHERE created_at >= ? AND cost_usd > 0 GROUP BY hour`,
    )
    .all(new Date(sinceMs).toISOString()) as { hour: number; usd: number }[]
}

/** Requests per key per minute (minutes since the epoch) from `sinceMs` on. */
export function keyMinutesSince(db: Db, sinceMs: number): { key: string; minute: number; n: number }[] {
  return db
    .prepare(
      `SELECT key_name AS key, CAST(strftime('%s', created_at) AS INTEGER) / 60 AS minute, COUNT(*) AS n
       FROM request_logs WHERE created_at >= ? AND key_name IS NOT NULL GROUP BY key_name, minute`,
    )
    .all(new Date(sinceMs).toISOString()) as { key: string; minute: number; n: number }[]
}
