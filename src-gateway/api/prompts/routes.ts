import type { FastifyInstance } from 'fastify'
import type { GatewayContext } from '../../gateway-context.js'
import { CompareRunner } from '../../prompts/compare-runner.js'
import { failInterruptedRuns } from '../../prompts/compare-store.js'
import { importConfigPrompts } from '../../prompts/config-import.js'
import { closeDatabase, openDatabase } from '../../store/db.js'
import { registerAdminCompare } from './admin-compare.js'
import { registerAdminFeedback } from './admin-feedback.js'
import { registerAdminPrompts } from './admin-prompts.js'
import { registerPromptRun } from './run-route.js'

/**
 * Prompts as endpoints, the prompt library, feedback and comparisons. Without a data dir they live in
 * an in-memory database, so config prompts still run; they are then gone when the gateway stops.
 */
export function registerPromptRoutes(app: FastifyInstance, gw: GatewayContext): void {
  const db = app.db ?? openDatabase(':memory:')
  importConfigPrompts(db, app.gatewayConfig.resolved.prompts)
  failInterruptedRuns(db)
  const runner = new CompareRunner({ app, gw, db, priceBook: app.requestLog.priceBook })
  // Runs write to the database until they stop, so they are stopped before anything closes it.
  app.addHook('preClose', () => runner.close())
  if (!app.db) app.addHook('onClose', async () => closeDatabase(db))

  registerPromptRun(app, gw, db)
  registerAdminPrompts(app, db)
  registerAdminFeedback(app, db)
  registerAdminCompare(app, db, runner)
}
