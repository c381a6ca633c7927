import type { FastifyInstance } from 'fastify'
import type { RequestLog } from '../../request-log.js'
import { registerAdminLogs } from './logs.js'
import { registerAdminPricing } from './pricing.js'
import { registerAdminStats } from './stats.js'

/** The admin API over stored request logs: list, detail, export, stats, and the prices they are costed at. */
export function registerAdminStore(app: FastifyInstance, requestLog: RequestLog): void {
  registerAdminLogs(app)
  registerAdminStats(app)
  registerAdminPricing(app, requestLog.priceBook)
}
