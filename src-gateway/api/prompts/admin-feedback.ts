import type { FastifyInstance } from 'fastify'
import { type Feedback, FeedbackBodySchema } from '../../../src-shared/contract/feedback.js'
import { setFeedback } from '../../prompts/feedback-store.js'
import type { Db } from '../../store/db.js'

/** POST /admin/v1/feedback: 👍/👎 on any request id (a prompt run, a comparison cell); null clears it. */
export function registerAdminFeedback(app: FastifyInstance, db: Db): void {
  app.post<{ Body: Feedback }>(
    '/admin/v1/feedback',
    { config: { permission: 'compare:run' }, schema: { body: FeedbackBodySchema } },
    async (req) => {
      const { requestId, rating } = req.body
      setFeedback(db, requestId, rating)
      return { requestId, rating } satisfies Feedback
    },
  )
}
