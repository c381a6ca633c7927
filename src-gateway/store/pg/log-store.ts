import { setTimeout as sleep } from 'node:timers/promises'
import type { ArmStats } from '../../../src-shared/contract/prompts.js'
import { GatewayError } from '../../core/errors.js'
import { EXPORT_BATCH, exportHeader, exportText } from '../log-export.js'
import type { LogStore } from '../log-store.js'
import type { ExportJob, ReportJob } from '../report-jobs.js'
import { EXPORT_BYTES_PER_S, MAX_EXPORTS } from '../report-service.js'
import { pgGetLog, pgListLogs, pgLogBatches, pgSpendSince } from './log-queries.js'
import { pgComputeOverview, pgComputeSpend, pgComputeStats } from './log-stats.js'
import { pgTarget } from './log-writer.js'
import { startPgMaintenance } from './maintenance.js'
import type { PgPool } from './pool.js'
import { pgGetSession, pgListProjects, pgListSessions } from './session-queries.js'

const unavailable = (message: string, code: string) => new GatewayError('internal', message, { status: 503, code })

export interface PgLogStoreOptions {
  /** An export's pace at most (default EXPORT_BYTES_PER_S, as on SQLite). */
  exportBytesPerS?: number
}

/**
 * The request log in the Postgres several instances share (config `database`). Reports are async queries on the
 * pool, each bounded by its statement_timeout (no worker thread: the database does the reading); exports read a
 * batch per step at the consumer's pace, at most MAX_EXPORTS at once per instance, as on SQLite.
 */
export function pgLogStore(pool: PgPool, options: PgLogStoreOptions = {}): LogStore {
  let exports = 0
  let closed = false

  async function run(job: ReportJob): Promise<unknown> {
    switch (job.kind) {
      case 'stats':
        return pgComputeStats(pool, job.query, job.now, job.workspaces)
      case 'overview':
        return pgComputeOverview(pool, job.query, job.now, job.workspaces)
      case 'spend':
        return pgComputeSpend(pool, job.query, job.now, job.workspaces)
      case 'logs':
        return pgListLogs(pool, job.filter, job.page)
      case 'sessions':
        return pgListSessions(pool, job.filter, job.page)
      case 'projects':
        return pgListProjects(pool, job.filter)
    }
  }

  async function* exportRows(job: ExportJob, release: () => void): AsyncGenerator<Buffer> {
    const t0 = performance.now()
    let sent = 0
    const pace = options.exportBytesPerS ?? EXPORT_BYTES_PER_S
    try {
      const chunks = async function* () {
        if (job.format === 'csv') yield exportHeader
        for await (const batch of pgLogBatches(pool, job.filter, EXPORT_BATCH)) yield exportText(batch, job.format)
      }
      for await (const text of chunks()) {
        if (closed) throw unavailable('the gateway is shutting down', 'reports_closed')
        const chunk = Buffer.from(text)
        sent += chunk.byteLength
        const early = (sent / pace) * 1000 - (performance.now() - t0)
        if (early > 0) await sleep(early)
        yield chunk
      }
    } finally {
      release()
    }
  }

  return {
    backend: 'postgres',
    async report(job) {
      if (closed) throw unavailable('the gateway is shutting down', 'reports_closed')
      return JSON.stringify(await run(job))
    },
    getLog: (id, cipher) => pgGetLog(pool, id, cipher),
    getSession: (id, page) => pgGetSession(pool, id, page),
    startExport(job) {
      if (closed) throw unavailable('the gateway is shutting down', 'reports_closed')
      if (exports >= MAX_EXPORTS)
        throw unavailable(`${MAX_EXPORTS} exports are running: try again when one has finished`, 'exports_busy')
      exports++
      let held = true
      const release = () => {
        if (held) exports--
        held = false
      }
      const rows = exportRows(job, release)
      // A generator ended before its first step never runs its finally: a client gone before the first chunk
      // must still give its slot back, or two such clients would refuse every later export.
      const end = rows.return.bind(rows)
      rows.return = (value) => {
        release()
        return end(value)
      }
      return rows
    },
    spendSince: (scope, name, sinceMs) => pgSpendSince(pool, scope, name, sinceMs),
    async loggedIn(requestId, workspaces) {
      const rows = await pool.query(
        'SELECT 1 FROM request_logs WHERE request_id = $1 AND workspace = ANY($2::text[]) LIMIT 1',
        [requestId, [...workspaces]],
      )
      return rows.length > 0
    },
    // Feedback is in this same database (migration 2): the join stays in SQL, as on SQLite.
    async promptArmStats(name, label) {
      return pool.query<ArmStats>(
        `SELECT r.prompt_arm AS arm, r.prompt_version AS version, count(*) AS requests,
           count(*) FILTER (WHERE r.status >= 400) AS errors, coalesce(sum(r.cost_usd), 0) AS "costUsd",
           avg(r.latency_ms) AS "meanLatencyMs", count(*) FILTER (WHERE f.rating = 1) AS "thumbsUp",
           count(*) FILTER (WHERE f.rating = -1) AS "thumbsDown"
         FROM request_logs r LEFT JOIN feedback f ON f.request_id = r.request_id
         WHERE r.prompt_name = $1 AND ($2::text IS NULL OR left(r.prompt_arm, length($2) + 1) = $2 || ':')
         GROUP BY r.prompt_arm, r.prompt_version ORDER BY r.prompt_version, r.prompt_arm NULLS FIRST`,
        [name, label ?? null],
      )
    },
    // created_at is epoch ms here: the hour and minute numbers are SQLite's (seconds since the epoch / 3600, / 60).
    async anomalyHistory(spendSinceMs, trafficSinceMs) {
      const [hourlySpend, keyMinutes] = await Promise.all([
        pool.query<{ hour: number; usd: number }>(
          `SELECT created_at / 3600000 AS hour, sum(cost_usd) AS usd
           FROM request_logs WHERE created_at >= $1 AND cost_usd > 0 GROUP BY 1`,
          [spendSinceMs],
        ),
        pool.query<{ key: string; minute: number; n: number }>(
          `SELECT key_name AS key, created_at / 60000 AS minute, count(*) AS n
           FROM request_logs WHERE created_at >= $1 AND key_name IS NOT NULL GROUP BY key_name, 2`,
          [trafficSinceMs],
        ),
      ])
      return { hourlySpend, keyMinutes }
    },
    batches: (filter, batchSize) => pgLogBatches(pool, filter, batchSize),
    startRetention(policy) {
      const maintenance = startPgMaintenance(pgTarget(pool), policy)
      return { stop: () => maintenance.stop() }
    },
    // The pool belongs to the gateway's Postgres lifecycle, which closes it after the writer.
    async close() {
      closed = true
    },
  }
}
