import type { FastifyInstance } from 'fastify'
import { workspaceIds } from '../../config/workspaces.js'
import type { GatewayContext } from '../../gateway-context.js'
import { CompareRunner } from '../../prompts/compare-runner.js'
import { failInterruptedRuns } from '../../prompts/compare-store.js'
import { importConfigPrompts } from '../../prompts/config-import.js'
import { closeDatabase, type Db, openDatabase } from '../../store/db.js'
import { pausedError } from '../admin/pause-switch.js'
import type { AdminAccess } from '../edge/admin-access.js'
import { registerPromptRun } from './run-route.js'

/** The prompt library and the comparison runner, shared by the model-API and admin scopes. */
export interface PromptLibrary {
  db: Db
  runner: CompareRunner
}

/**
 * Opens the prompt library on the root instance (its hooks stop runs and close the database however
 * the scopes are arranged). Without a data dir it lives in an in-memory database, so config prompts
 * still run; they are then gone when the gateway stops.
 */
export function openPromptLibrary(app: FastifyInstance, gw: GatewayContext): PromptLibrary {
  const db = app.db ?? openDatabase(':memory:')
  importConfigPrompts(db, app.gatewayConfig.resolved.prompts, workspaceIds(app.gatewayConfig.resolved))
  failInterruptedRuns(db)
  const runner = new CompareRunner({
    gw,
    db,
    priceBook: app.requestLog.priceBook,
    // The runner's calls skip HTTP, not the pause switch.
    refusal: () => (app.gatewayPause.paused ? pausedError() : undefined),
    logError: (err, message) => app.log.error({ err }, message),
  })
  // Runs write to the database until they stop, so they are stopped before anything closes it.
  app.addHook('preClose', () => runner.close())
  if (!app.db) app.addHook('onClose', async () => closeDatabase(db))
  return { db, runner }
}

/**
 * Prompts as endpoints (`POST /v1/prompts/{name}/run`): in the model-API scope. `admin` names the signed-in member
 * of a UI call, whose workspaces bound the prompts they may run.
 */
export function registerPromptRunRoutes(
  scope: FastifyInstance,
  gw: GatewayContext,
  lib: PromptLibrary,
  admin: AdminAccess,
): void {
  registerPromptRun(scope, gw, lib.db, admin)
}
