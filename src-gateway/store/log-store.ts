import type { LogDetail, LogItem } from '../../src-shared/contract/logs.js'
import type { ArmStats } from '../../src-shared/contract/prompts.js'
import type { SessionSummary } from '../../src-shared/contract/sessions.js'
import { type AnomalyHistory, sqliteAnomalyHistory } from '../alerts/history.js'
import { armStats } from '../prompts/feedback-store.js'
import type { BodyCipher } from './body-cipher.js'
import type { Db } from './db.js'
import type { LogFilter } from './log-filter.js'
import { getLog, logBatches } from './log-queries.js'
import type { ExportJob, ReportJob } from './report-jobs.js'
import type { ReportService } from './report-service.js'
import { type RetentionPolicy, startRetention } from './retention.js'
import { getSession } from './session-queries.js'

/**
 * The request log as its readers see it, whichever database holds it: the data folder's SQLite (sqliteLogStore,
 * today's code unchanged) or the Postgres several instances share (config `database`, store/pg/). The admin
 * logs, stats, sessions and export routes, prompt replay, the tray's stats and retention go through
 * `gw.logStore`; rows go in through the log writer of the same backend (request-log.ts).
 */
export interface LogStore {
  readonly backend: 'sqlite' | 'postgres'
  /**
   * A report's answer as JSON text, sent as it is: stats, overview (with its MCP activity), spend, a logs page or
   * search, sessions, projects. `job` carries the caller's workspaces (report-jobs.ts).
   */
  report(job: ReportJob): Promise<string>
  /** One row with its bodies (opened with `cipher` when sealed); undefined when no row has that id. */
  getLog(id: number, cipher?: BodyCipher): Promise<LogDetail | undefined>
  /** One session's totals and a page of its calls in order, within `workspaces`; undefined when none is seen. */
  getSession(
    id: string,
    page: { limit: number; cursor?: number; workspaces?: readonly string[] },
  ): Promise<SessionDetail | undefined>
  /**
   * An export's text as UTF-8 chunks, read as the consumer pulls (the socket's pace); ending the iteration early
   * ends the reading. Refusals (too many exports, shutting down) throw here, before the first chunk.
   */
  startExport(job: ExportJob): AsyncGenerator<Buffer>
  /**
   * Cost logged since `sinceMs` (epoch ms) for one key (`key_name`) or workspace: the seed of a budget ledger
   * (policies/spend-ledger.ts) when it starts tracking a period.
   */
  spendSince(scope: 'key' | 'workspace', name: string, sinceMs: number): Promise<number>
  /** Whether a call with `requestId` is logged in one of `workspaces` (whether a team member may rate it). */
  loggedIn(requestId: string, workspaces: readonly string[]): Promise<boolean>
  /**
   * A stored prompt's logged calls per arm and version (`label`: only that label's split arms), with their thumbs:
   * feedback is in the same database as the log (the data folder's SQLite, or the shared Postgres).
   */
  promptArmStats(name: string, label: string | undefined): Promise<ArmStats[]>
  /**
   * The cost and traffic anomaly detectors' baselines at start (alerts/history.ts): spend per hour since
   * `spendSinceMs`, requests per key per minute since `trafficSinceMs` (epoch ms).
   */
  anomalyHistory(spendSinceMs: number, trafficSinceMs: number): Promise<AnomalyHistory>
  /** Every row matching `filter`, newest first, `batchSize` at a time (prompt replay); stop early by returning. */
  batches(filter: LogFilter, batchSize?: number): AsyncGenerator<LogItem[]>
  /**
   * Keeps the log within `policy` (age, size) until `stop()`. SQLite deletes old rows in chunks; Postgres drops
   * whole day partitions on the instance holding the maintenance lock.
   */
  startRetention(policy: RetentionPolicy): { stop(): void }
  /** Ends what the store runs (workers, pools it owns); the writer is closed before it by its owner. */
  close(): Promise<void>
}

export interface SessionDetail {
  session: SessionSummary
  calls: LogItem[]
  nextCursor: string | null
}

/**
 * Today's SQLite log: reports and exports through the ReportService (a worker on a read-only connection), the
 * detail and replay batches on the gateway's connection, retention by chunked DELETE. No behaviour change.
 */
export function sqliteLogStore(db: Db, reports: ReportService): LogStore {
  return {
    backend: 'sqlite',
    report: (job) => reports.run(job),
    getLog: async (id, cipher) => getLog(db, id, cipher) ?? undefined,
    getSession: async (id, page) => getSession(db, id, page) ?? undefined,
    startExport: (job) => reports.startExport(job),
    async spendSince(scope, name, sinceMs) {
      // Both columns are indexed (request_logs_key, request_logs_workspace): one key's or workspace's rows.
      const row = db
        .prepare(
          `SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM request_logs WHERE ${scope === 'key' ? 'key_name' : 'workspace'} = ? AND created_at >= ?`,
        )
        .get(name, new Date(sinceMs).toISOString()) as { usd: number }
      return row.usd
    },
    async loggedIn(requestId, workspaces) {
      const row = db
        .prepare(
          'SELECT 1 FROM request_logs WHERE request_id = ? AND workspace IN (SELECT value FROM json_each(?)) LIMIT 1',
        )
        .get(requestId, JSON.stringify(workspaces))
      return row !== undefined
    },
    // Feedback is in this same database: the join stays in SQL, as before.
    promptArmStats: async (name, label) => armStats(db, name, label),
    anomalyHistory: async (spendSinceMs, trafficSinceMs) => sqliteAnomalyHistory(db, spendSinceMs, trafficSinceMs),
    async *batches(filter, batchSize) {
      yield* logBatches(db, filter, batchSize)
    },
    startRetention: (policy) => startRetention(db, policy),
    close: () => reports.close(),
  }
}
