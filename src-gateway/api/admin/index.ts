import type { FastifyInstance } from 'fastify'
import type { Alerts } from '../../alerts/alerts.js'
import { registerAuditLog } from '../../audit/audit-log.js'
import type { AuditStore } from '../../audit/audit-store.js'
import type { ConfigStore } from '../../config/store.js'
import type { GatewayContext } from '../../gateway-context.js'
import { registerAccessRoutes } from '../../portal/access-routes.js'
import { registerPortalRoutes } from '../../portal/portal-routes.js'
import type { RequestLog } from '../../request-log.js'
import type { Db } from '../../store/db.js'
import { registerPermissionsGuard } from '../../team/permissions-guard.js'
import type { AdminAccess } from '../edge/admin-access.js'
import { registerAdminCompare } from '../prompts/admin-compare.js'
import { registerAdminFeedback } from '../prompts/admin-feedback.js'
import { registerAdminPrompts } from '../prompts/admin-prompts.js'
import type { PromptLibrary } from '../prompts/routes.js'
import { registerAdminAuth } from './admin-auth.js'
import { registerAdminAlerts } from './alerts-routes.js'
import { registerAuditRoutes } from './audit-routes.js'
import { registerBackups } from './backup-routes.js'
import { cacheRoutes } from './cache-routes.js'
import { registerAdminConfig } from './config-routes.js'
import { validateWithContract } from './contract-validator.js'
import { registerAdminInfo } from './info.js'
import { registerAdminLogs } from './logs.js'
import { registerMcpCallRoutes } from './mcp-call-routes.js'
import { registerMcpPreview } from './mcp-preview-routes.js'
import { registerMcpRoutes } from './mcp-routes.js'
import { registerMeRoutes } from './me-routes.js'
import { registerAdminPricing } from './pricing.js'
import { registerAdminProviderTypes } from './provider-types-routes.js'
import { registerAdminSessions } from './sessions-routes.js'
import { registerAdminStats } from './stats.js'
import { registerTeamRoutes } from './team-routes.js'
import { registerWorkspaceRoutes } from './workspaces-routes.js'

/** What the admin API reads and changes: the running gateway and the stores behind it. */
export interface AdminApiDeps {
  access: AdminAccess
  gw: GatewayContext
  store: ConfigStore
  db: Db | undefined
  dataDir: string | undefined
  requestLog: RequestLog
  alerts: Alerts
  /** The audit trail: the data folder's SQLite, or the shared Postgres (config `database`); none without either. */
  audit: AuditStore | undefined
  prompts: PromptLibrary
  clock?: () => number
}

/**
 * Every route under /admin, in the admin scope: the guard first (it covers every route registered after it
 * in the scope), then the permission check (each route states its permission in `config.permission`, or the
 * gateway does not start), then the audit trail's hooks, then the routes. Requests are validated against their
 * schemas from src-shared/contract by the gateway's own checker (contract-validator.ts). A new admin route is
 * registered here.
 */
export function registerAdminApi(scope: FastifyInstance, deps: AdminApiDeps): void {
  const { gw, store, db, dataDir } = deps
  validateWithContract(scope)
  registerAdminAuth(scope, deps.access)
  registerPermissionsGuard(scope)
  registerAuditLog(scope, { store, db, audit: deps.audit })
  registerAuditRoutes(scope, deps.audit)
  registerAdminInfo(scope, { dataDir })
  registerAdminLogs(scope)
  registerAdminSessions(scope)
  registerAdminStats(scope)
  registerAdminPricing(scope, deps.requestLog.priceBook)
  registerAdminProviderTypes(scope)
  cacheRoutes(scope, { cache: () => gw.cache })
  registerAdminAlerts(scope, deps.alerts)
  registerAdminPrompts(scope, deps.prompts.prompts, store)
  registerAdminFeedback(scope, deps.prompts)
  registerAdminCompare(scope, deps.prompts, store)
  const backups = registerBackups(scope, { store, db, prompts: deps.prompts.prompts, dataDir, clock: deps.clock })
  // The hub is built with the gateway (server.ts) and decorated on the root, where every scope reads it.
  registerWorkspaceRoutes(scope, store)
  registerPortalRoutes(scope, store, deps.prompts.prompts)
  registerAccessRoutes(scope, store)
  registerMcpRoutes(scope, store, () => scope.mcpHub)
  registerMcpPreview(scope, () => scope.mcpHub)
  registerMcpCallRoutes(scope, gw, () => scope.mcpHub)
  registerTeamRoutes(scope, store)
  registerMeRoutes(scope, deps.clock)
  registerAdminConfig(scope, gw, {
    store,
    dataDir,
    prompts: deps.prompts.prompts,
    beforeImport: backups && (() => backups.create('pre-import')),
  })
}
