import { type Static, Type } from 'typebox'

/** A 👍 or 👎 on a call; null clears it. */
export const RatingSchema = Type.Union([Type.Literal('up'), Type.Literal('down')])
export type Rating = Static<typeof RatingSchema>

/** POST /admin/v1/feedback: a rating of any request id (a prompt run, a comparison cell); the answer echoes it. */
export const FeedbackBodySchema = Type.Object(
  {
    requestId: Type.String({ minLength: 1, maxLength: 200 }),
    rating: Type.Union([RatingSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type Feedback = Static<typeof FeedbackBodySchema>
