import type { FastifyInstance } from 'fastify'
import { type Feedback, FeedbackBodySchema } from '../../../src-shared/contract/feedback.js'
import { GatewayError } from '../../core/errors.js'
import type { LogStore } from '../../store/log-store.js'
import type { Principal } from '../../team/principal.js'
import { visibleWorkspaces } from '../../team/tenancy.js'
import type { PromptLibrary } from './routes.js'

/**
 * Whether a member may rate a call: its log row is in one of their workspaces, or it is a cell of one of their
 * workspaces' comparison runs (whose calls may be logged outside every workspace: the admin token's).
 */
async function ratesCall(
  lib: PromptLibrary,
  log: LogStore | undefined,
  principal: Principal | undefined,
  requestId: string,
): Promise<boolean> {
  const visible = visibleWorkspaces(principal)
  if (visible === undefined) return true
  return (
    (await lib.runs.cellInWorkspaces(requestId, visible)) ||
    (log !== undefined && (await log.loggedIn(requestId, visible)))
  )
}

/**
 * POST /admin/v1/feedback: 👍/👎 on a request id (a prompt run, a comparison cell); null clears it. A member rates
 * only calls of their workspaces; another's answers 404, as for an id that was never logged.
 */
export function registerAdminFeedback(app: FastifyInstance, lib: PromptLibrary): void {
  app.post<{ Body: Feedback }>(
    '/admin/v1/feedback',
    { config: { permission: 'compare:run' }, schema: { body: FeedbackBodySchema } },
    async (req) => {
      const { requestId, rating } = req.body
      if (visibleWorkspaces(req.principal) !== undefined) {
        // Rows reach the database in batches: a call rated right after it answered is still in the writer's queue.
        await app.requestLog.flush()
        if (!(await ratesCall(lib, app.gateway.logStore, req.principal, requestId))) {
          throw new GatewayError('not_found', `no call '${requestId}' is yours to rate`, { code: 'request_not_found' })
        }
      }
      await lib.feedback.setFeedback(requestId, rating)
      return { requestId, rating } satisfies Feedback
    },
  )
}
