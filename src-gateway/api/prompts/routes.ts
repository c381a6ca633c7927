import type { FastifyInstance } from 'fastify'
import { workspaceIds } from '../../config/workspaces.js'
import type { GatewayContext } from '../../gateway-context.js'
import { CompareRunner } from '../../prompts/compare-runner.js'
import { type CompareStore, sqliteCompareStore } from '../../prompts/compare-store.js'
import { checkConfigPrompts, importConfigPrompts } from '../../prompts/config-import.js'
import { type FeedbackStore, sqliteFeedbackStore } from '../../prompts/feedback-store.js'
import { cachedPromptStore } from '../../prompts/prompt-cache.js'
import { type PromptStore, sqlitePromptStore } from '../../prompts/prompt-store.js'
import { closeDatabase, openDatabase } from '../../store/db.js'
import { pgCompareStore } from '../../store/pg/compare-store.js'
import { pgFeedbackStore } from '../../store/pg/feedback-store.js'
import type { PgLifecycle } from '../../store/pg/lifecycle.js'
import { pgPromptStore } from '../../store/pg/prompt-store.js'
import { pausedError } from '../admin/pause-switch.js'
import type { AdminAccess } from '../edge/admin-access.js'
import { registerPromptRun } from './run-route.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The prompt library's stores and runner (openPromptLibrary), for every scope that reads prompts. */
    promptLibrary: PromptLibrary
  }
}

/** The prompt library, feedback and comparison runs, shared by the model-API and admin scopes. */
export interface PromptLibrary {
  prompts: PromptStore
  feedback: FeedbackStore
  runs: CompareStore
  runner: CompareRunner
}

/**
 * Opens the prompt library on the root instance (its hooks stop runs and close the database however the scopes are
 * arranged). With `postgres` (config `database`) prompts, feedback and runs are the instances' shared ones; else they
 * are in the data folder's SQLite, or without one in an in-memory database, so config prompts still run (gone when
 * the gateway stops). Config prompts are imported and interrupted runs cancelled once the database is ready.
 */
export function openPromptLibrary(
  app: FastifyInstance,
  gw: GatewayContext,
  postgres: PgLifecycle | undefined,
): PromptLibrary {
  const local = postgres ? undefined : (app.db ?? openDatabase(':memory:'))
  // On Postgres, what a prompt run reads is kept in memory and refreshed on other instances' notices (S4).
  const cache = postgres && cachedPromptStore(pgPromptStore(postgres), postgres.notifier)
  const stores = local
    ? { prompts: sqlitePromptStore(local), feedback: sqliteFeedbackStore(local), runs: sqliteCompareStore(local) }
    : { prompts: cache!, feedback: pgFeedbackStore(postgres!), runs: pgCompareStore(postgres!) }
  const runner = new CompareRunner({
    gw,
    ...stores,
    priceBook: app.requestLog.priceBook,
    // The runner's calls skip HTTP, not the pause switch.
    refusal: () => (app.gatewayPause.paused ? pausedError() : undefined),
    logError: (err, message) => app.log.error({ err }, message),
  })
  // An invalid `prompts:` section stops the start here, before anything is written.
  const section = app.gatewayConfig.resolved.prompts
  checkConfigPrompts(section, workspaceIds(app.gatewayConfig.resolved))
  const prepare = async () => {
    await importConfigPrompts(stores.prompts, section)
    await stores.runs.failInterruptedRuns()
  }
  // Before the first request; on Postgres after server.ts's onReady opened it (hooks run in order), and for a
  // database not up yet once it is migrated.
  app.addHook('onReady', async () => {
    if (local) return prepare()
    const run = () =>
      prepare().catch((err: Error) => app.log.error({ err }, 'config prompts could not be imported into Postgres'))
    if (postgres!.migrated()) await run()
    else postgres!.onMigrated(() => void run())
  })
  // Runs write to the database until they stop, so they are stopped before anything closes it.
  app.addHook('preClose', () => runner.close())
  if (local && !app.db) app.addHook('onClose', async () => closeDatabase(local))
  if (cache) app.addHook('onClose', async () => cache.close())
  const library = { ...stores, runner }
  app.decorate('promptLibrary', library)
  return library
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
  registerPromptRun(scope, gw, lib.prompts, admin)
}
