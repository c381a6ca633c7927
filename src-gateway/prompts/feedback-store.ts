import type { Rating } from '../../src-shared/contract/feedback.js'
import type { ArmStats } from '../../src-shared/contract/prompts.js'
import type { Db } from '../store/db.js'

/** A thumbs-up or -down, and per-arm stats (stated by the admin contract). */
export type { Rating }

/** Records 👍/👎 for one request (a prompt run or a comparison cell); `null` clears it. */
export function setFeedback(db: Db, requestId: string, rating: Rating | null): void {
  if (rating === null) {
    db.prepare('DELETE FROM feedback WHERE request_id = ?').run(requestId)
    return
  }
  db.prepare(
    `INSERT INTO feedback (request_id, rating, created_at) VALUES (?, ?, ?)
     ON CONFLICT(request_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at`,
  ).run(requestId, rating === 'up' ? 1 : -1, new Date().toISOString())
}

export function ratingsOf(db: Db, requestIds: readonly string[]): Map<string, Rating> {
  const out = new Map<string, Rating>()
  if (requestIds.length === 0) return out
  const rows = db
    .prepare(`SELECT request_id, rating FROM feedback WHERE request_id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(requestIds)) as { request_id: string; rating: number }[]
  for (const r of rows) out.set(r.request_id, toRating(r.rating))
  return out
}

export type { ArmStats }

/** Calls of one prompt grouped by arm and version, from the request log joined with feedback. */
export function armStats(db: Db, name: string, label?: string): ArmStats[] {
  const byLabel = label === undefined ? '' : "AND substr(r.prompt_arm, 1, length(?) + 1) = ? || ':'"
  const params = label === undefined ? [name] : [name, label, label]
  return db
    .prepare(
      `SELECT r.prompt_arm AS arm, r.prompt_version AS version, count(*) AS requests,
         sum(r.status >= 400) AS errors, coalesce(sum(r.cost_usd), 0) AS costUsd, avg(r.latency_ms) AS meanLatencyMs,
         coalesce(sum(f.rating = 1), 0) AS thumbsUp, coalesce(sum(f.rating = -1), 0) AS thumbsDown
       FROM request_logs r LEFT JOIN feedback f ON f.request_id = r.request_id
       WHERE r.prompt_name = ? ${byLabel}
       GROUP BY r.prompt_arm, r.prompt_version ORDER BY r.prompt_version, r.prompt_arm`,
    )
    .all(...params) as ArmStats[]
}

/** Feedback, whichever database holds it: the data folder's SQLite or the shared Postgres (config `database`). */
export interface FeedbackStore {
  setFeedback(requestId: string, rating: Rating | null): Promise<void>
  ratingsOf(requestIds: readonly string[]): Promise<Map<string, Rating>>
}

/** A feedback row's rating (both backends store 1 and -1). */
export const toRating = (rating: number): Rating => (rating > 0 ? 'up' : 'down')

export function sqliteFeedbackStore(db: Db): FeedbackStore {
  return {
    setFeedback: async (requestId, rating) => setFeedback(db, requestId, rating),
    ratingsOf: async (requestIds) => ratingsOf(db, requestIds),
  }
}
