import Database from 'better-sqlite3'
import type { ProjectList, SessionPage } from '../../src-shared/contract/sessions.js'
import type { Db } from './db.js'
import type { ExportFormat } from './log-export.js'
import type { LogFilter } from './log-filter.js'
import { type LogPage, listLogs } from './log-queries.js'
import {
  computeOverview,
  computeSpend,
  computeStats,
  type OverviewQuery,
  type OverviewResult,
  type SpendQuery,
  type SpendResult,
  type StatsQuery,
  type StatsResult,
} from './log-stats.js'
import { listProjects, listSessions, type SessionsFilter } from './session-queries.js'

/**
 * The reads a report endpoint makes (issue 23): plain data in and out, so the report worker can run them on
 * its own connection and the gateway can post them to it (see report-service.ts). A job carries the caller's
 * workspaces (`workspaces`, or `filter.workspaces`: see tenancy.ts), set by the gateway from the principal.
 */
export type ReportJob =
  | { kind: 'stats'; query: StatsQuery; now: number; workspaces?: readonly string[] }
  | { kind: 'overview'; query: OverviewQuery; now: number; workspaces?: readonly string[] }
  | { kind: 'spend'; query: SpendQuery; now: number; workspaces?: readonly string[] }
  | { kind: 'logs'; filter: LogFilter; page: { limit: number; cursor?: number; after?: number } }
  | { kind: 'sessions'; filter: SessionsFilter; page: { limit: number; cursor?: number } }
  | { kind: 'projects'; filter: Omit<SessionsFilter, 'project'> }

/** A log export: long (minutes over a big log), so it runs in a worker of its own, not between reports. */
export interface ExportJob {
  filter: LogFilter
  format: ExportFormat
}

export function runReport(
  db: Db,
  job: ReportJob,
): Promise<StatsResult | OverviewResult | SpendResult | LogPage | SessionPage | ProjectList> {
  switch (job.kind) {
    case 'stats':
      return computeStats(db, job.query, job.now, job.workspaces)
    case 'overview':
      return computeOverview(db, job.query, job.now, job.workspaces)
    case 'spend':
      return computeSpend(db, job.query, job.now, job.workspaces)
    case 'logs':
      return listLogs(db, job.filter, job.page)
    case 'sessions':
      return listSessions(db, job.filter, job.page)
    case 'projects':
      return Promise.resolve(listProjects(db, job.filter))
  }
}

/**
 * The report worker's connection: read-only (a report can never change the log, whatever its SQL), beside
 * the gateway's own. In WAL mode it reads a consistent snapshot while the log writer appends.
 */
export function openReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  // SQLite's own 2 MB page cache, as the gateway's connection (db.ts): a 30-day Overview at 10M rows took the
  // same CPU with better-sqlite3's 16 MB, its pages coming from the OS's file cache.
  db.pragma('cache_size = -2000')
  return db
}
