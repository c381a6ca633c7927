import type { FastifyInstance } from 'fastify'
import { type Feedback, FeedbackBodySchema } from '../../../src-shared/contract/feedback.js'
import { GatewayError } from '../../core/errors.js'
import { setFeedback } from '../../prompts/feedback-store.js'
import type { Db } from '../../store/db.js'
import type { LogStore } from '../../store/log-store.js'
import type { Principal } from '../../team/principal.js'
import { visibleWorkspaces } from '../../team/tenancy.js'

/**
 * Whether a member may rate a call: its log row is in one of their workspaces, or it is a cell of one of their
 * workspaces' comparison runs (whose calls may be logged outside every workspace: the admin token's).
 */
async function ratesCall(
  db: Db,
  log: LogStore | undefined,
  principal: Principal | undefined,
  requestId: string,
): Promise<boolean> {
  const visible = visibleWorkspaces(principal)
  if (visible === undefined) return true
  // Comparison runs are in this instance's database; the log may be the shared Postgres (config `database`).
  const cell = db
    .prepare(
      `SELECT 1 FROM compare_cells c JOIN compare_runs r ON r.id = c.run_id
       WHERE c.request_id = ? AND r.workspace IN (SELECT value FROM json_each(?)) LIMIT 1`,
    )
    .get(requestId, JSON.stringify(visible))
  return cell !== undefined || (log !== undefined && (await log.loggedIn(requestId, visible)))
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
        if (!(await ratesCall(db, app.gateway.logStore, req.principal, requestId))) {
          throw new GatewayError('not_found', `no call '${requestId}' is yours to rate`, { code: 'request_not_found' })
        }
      }
      setFeedback(db, requestId, rating)
      return { requestId, rating } satisfies Feedback
    },
  )
}
