/**
 * The report worker's entry (a `worker_threads` worker; see report-service.ts): runs report jobs on its own
 * read-only connection, so a month's stats or a search over a big log never holds the gateway's event loop.
 * Jobs arrive as `{ id, job }` and are answered `{ id, json }` (the answer as the JSON text the endpoint sends:
 * the gateway's thread then neither copies an object graph across nor serializes it) or `{ id, error }`. A
 * worker started with an `exportJob` runs that one export instead (see serveExport).
 */
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import { GatewayError } from '../core/errors.js'
import type { Db } from './db.js'
import { exportChunks } from './log-export.js'
import { type ExportJob, openReadOnly, type ReportJob, runReport } from './report-jobs.js'

/**
 * Proxied calls come before reports. Off the event loop a report still takes a core while it runs, and on a
 * two-core machine that core is shared with the gateway's own thread and the upstream's; at a lower priority
 * the scheduler gives the request thread the CPU whenever it has work, and a report runs on what is left.
 * Linux only: a thread's id (from /proc/thread-self) is a valid target of setpriority(), which then affects
 * this thread alone. Elsewhere the worker keeps the process's priority.
 */
function yieldCpuToRequests(nice: number): void {
  if (process.platform !== 'linux') return
  try {
    // Relative to the process's own priority (a gateway started with `nice` stays below it), at most 19.
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), Math.min(19, getPriority() + nice))
  } catch {
    // No /proc (a container without it), or a policy forbids it: reports then compete as equals.
  }
}

/** Errors cross to the gateway as plain data; a GatewayError keeps its kind and options (not its cause). */
function plainError(err: unknown) {
  const e = err as Error
  const { cause: _, ...opts } = err instanceof GatewayError ? err.opts : {}
  return { kind: err instanceof GatewayError ? err.kind : 'internal', message: e.message, opts }
}

/** Report jobs, one after another: `{ id, job }` in, `{ id, json }` or `{ id, error }` out. */
function serveReports(db: Db, port: MessagePort): void {
  port.on('message', async ({ id, job }: { id: number; job: ReportJob }) => {
    try {
      port.postMessage({ id, json: JSON.stringify(await runReport(db, job)) })
    } catch (err) {
      port.postMessage({ id, error: plainError(err) })
    }
  })
}

/**
 * One export, pulled by the gateway a chunk at a time: each message asks for the next chunk, answered
 * `{ chunk }` (UTF-8 bytes whose buffer is handed over, not copied: the gateway's thread writes them to the
 * socket as they are), `{ done: true }` or `{ error }`. Reading stops where the gateway stops asking (it then
 * ends this worker).
 */
function serveExport(db: Db, port: MessagePort, { filter, format }: ExportJob): void {
  const chunks = exportChunks(db, filter, format)
  const utf8 = new TextEncoder()
  port.on('message', () => {
    try {
      const next = chunks.next()
      if (next.done) return port.postMessage({ done: true })
      // encode() gives each chunk a buffer of its own, so handing it over takes nothing from another.
      const chunk = utf8.encode(next.value)
      port.postMessage({ chunk }, [chunk.buffer])
    } catch (err) {
      port.postMessage({ error: plainError(err) })
    }
  })
}

const { file, nice, exportJob } = workerData as { file: string; nice: number; exportJob?: ExportJob }
yieldCpuToRequests(nice)
const db = openReadOnly(file)
if (exportJob) serveExport(db, parentPort!, exportJob)
else serveReports(db, parentPort!)
