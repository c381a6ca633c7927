import type { FeedbackStore, Rating } from '../../prompts/feedback-store.js'
import { toRating } from '../../prompts/feedback-store.js'
import type { PgLifecycle } from './lifecycle.js'
import { withPool } from './ready-pool.js'

/** 👍/👎 in the shared Postgres (config `database`): a rating given through any instance counts on every one. */
export function pgFeedbackStore(pg: PgLifecycle): FeedbackStore {
  return {
    setFeedback: (requestId, rating) =>
      withPool(pg, 'feedback', async (pool) => {
        if (rating === null) {
          await pool.query('DELETE FROM feedback WHERE request_id = $1', [requestId])
          return
        }
        await pool.query(
          `INSERT INTO feedback (request_id, rating, created_at) VALUES ($1, $2, $3)
           ON CONFLICT (request_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at`,
          [requestId, rating === 'up' ? 1 : -1, new Date().toISOString()],
        )
      }),
    ratingsOf: (requestIds) =>
      withPool(pg, 'feedback', async (pool) => {
        const out = new Map<string, Rating>()
        if (requestIds.length === 0) return out
        const rows = await pool.query<{ request_id: string; rating: number }>(
          'SELECT request_id, rating FROM feedback WHERE request_id = ANY($1::text[])',
          [[...requestIds]],
        )
        for (const r of rows) out.set(r.request_id, toRating(r.rating))
        return out
      }),
  }
}
