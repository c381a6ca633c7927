import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { type Rating, setFeedback } from '../../prompts/feedback-store.js'
import type { Db } from '../../store/db.js'
import { bodyValidator } from './validate.js'

const readFeedback = bodyValidator<{ requestId: string; rating: Rating | null }>(
  Type.Object(
    {
      requestId: Type.String({ minLength: 1, maxLength: 200 }),
      rating: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Null()]),
    },
    { additionalProperties: false },
  ),
)

/** POST /admin/v1/feedback: 👍/👎 on any request id (a prompt run, a comparison cell); null clears it. */
export function registerAdminFeedback(app: FastifyInstance, db: Db): void {
  app.post('/admin/v1/feedback', async (req) => {
    const { requestId, rating } = readFeedback(req.body)
    setFeedback(db, requestId, rating)
    return { requestId, rating }
  })
}
