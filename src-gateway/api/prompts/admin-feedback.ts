import type { FastifyInstance } from 'fastify'
import { type Feedback, FeedbackBodySchema } from '../../../src-shared/contract/feedback.js'
import { GatewayError } from '../../core/errors.js'
import { setFeedback } from '../../prompts/feedback-store.js'
import type { Db } from '../../store/db.js'
import type { Principal } from '../../team/principal.js'
import { visibleWorkspaces } from '../../team/tenancy.js'

/**
 * Whether a member may rate a call: its log row is in one of their workspaces, or it is a cell of one of their
 * workspaces' comparison runs (whose calls may be logged outside every workspace: the admin token's).
 */
function ratesCall(db: Db, principal: Principal | undefined, requestId: string): boolean {
  const visible = visibleWorkspaces(principal)
  if (visible === undefined) return true
  const mine = JSON.stringify(visible)
  const row = db
    .prepare(
      `SELECT 1 FROM request_logs WHERE request_id = ? AND workspace IN (SELECT value FROM json_each(?))
       UNION ALL
       SELECT 1 FROM compare_cells c JOIN compare_runs r ON r.id = c.run_id
       WHERE c.request_id = ? AND r.workspace IN (SELECT value FROM json_each(?))
       LIMIT 1`,
    )
    .get(requestId, mine, requestId, mine)
  return row !== undefined
}

/**
 * POST /admin/v1/feedback: 👍/👎 on a request id (a prompt run, a comparison cell); null clears it. A member rates
 * only calls of their workspaces; another's answers 404, as for an id that was never logged.
 */
export function registerAdminFeedback(app: FastifyInstance, db: Db): void {
  app.post<{ Body: Feedback }>(
    '/admin/v1/feedback',
    { config: { permission: 'compare:run' }, schema: { body: FeedbackBodySchema } },
    async (req) => {
      const { requestId, rating } = req.body
      if (visibleWorkspaces(req.principal) !== undefined) {
        // Rows reach the database in batches: a call rated right after it answered is still in the writer's queue.
        await app.requestLog.flush()
        if (!ratesCall(db, req.principal, requestId)) {
          throw new GatewayError('not_found', `no call '${requestId}' is yours to rate`, { code: 'request_not_found' })
        }
      }
      setFeedback(db, requestId, rating)
      return { requestId, rating } satisfies Feedback
    },
  )
}
