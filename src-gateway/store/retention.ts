import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Db } from './db.js'

export interface RetentionPolicy {
  maxAgeDays: number
  maxDbMb: number
}

/**
 * A year of one person's use: 2,000 calls a day (Claude Code all day) is 730k rows a year, and a row with ~1 KB
 * of bodies takes 1.85 KB with its indexes, search entry and rollups (measured on the 1M-row fixture), so
 * 1.35 GB; the cap leaves room for a busier year. Bigger bodies reach the cap first: then the oldest rows go.
 */
export const DEFAULT_RETENTION: RetentionPolicy = { maxAgeDays: 365, maxDbMb: 2048 }

/**
 * How long one chunk of deletes may hold the event loop: retention runs beside live traffic, and every
 * deleted row also costs its bodies, its index entries and its full-text entry. The chunk size follows
 * the measured time of the previous chunk (growing at most twofold: the cost per row is not linear), so a
 * slow disk gets smaller chunks.
 */
const CHUNK_BUDGET_MS = 10
const FIRST_CHUNK = 50
const MAX_CHUNK = 2000
/** Pages handed back to the OS per step of the incremental vacuum (1 MB at the default page size, ~3 ms). */
const VACUUM_PAGES = 250

/** Bytes the database's pages hold, not counting free pages that deleted rows left behind. */
export function usedBytes(db: Db): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const pages = db.pragma('page_count', { simple: true }) as number
  const free = db.pragma('freelist_count', { simple: true }) as number
  return (pages - free) * pageSize
}

/** Runs `step(rows)` (which deletes up to `rows` and says how many it did) chunk by chunk, yielding between. */
class ChunkedDelete {
  private size = FIRST_CHUNK

  constructor(
    private readonly db: Db,
    private readonly stopped: () => boolean,
  ) {}

  /** False once the run must end: stopped, or the database closed while it waited. */
  get live(): boolean {
    return this.db.open && !this.stopped()
  }

  /** One chunk of at most `limit` rows; returns how many were deleted. */
  async chunk(step: (rows: number) => number, limit = Number.POSITIVE_INFINITY): Promise<number> {
    const rows = Math.max(1, Math.min(this.size, limit))
    const started = performance.now()
    const deleted = step(rows)
    const ms = performance.now() - started
    if (deleted === rows) {
      const scale = Math.min(2, CHUNK_BUDGET_MS / Math.max(ms, 0.1))
      this.size = Math.round(Math.min(MAX_CHUNK, Math.max(50, rows * scale)))
    }
    await nextTurn()
    return deleted
  }
}

/**
 * Deletes rows older than `maxAgeDays`, then the oldest rows while the database is over `maxDbMb`
 * (bodies and full-text entries go with their rows; rollups stay: they keep older history by design),
 * and hands freed pages back to the OS where the file allows it. Works in chunks of about
 * CHUNK_BUDGET_MS with a turn of the event loop between them; `stopped` ends it between two chunks.
 */
export async function enforceRetention(
  db: Db,
  policy: RetentionPolicy,
  now = Date.now(),
  stopped: () => boolean = () => false,
): Promise<{ deletedByAge: number; deletedBySize: number }> {
  const deleteOldest = db.prepare(
    'DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs ORDER BY id LIMIT ?)',
  )
  const deleteBefore = db.prepare(
    'DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE created_at < ? LIMIT ?)',
  )
  // Rows, estimated from the id range: a count(*) would read the whole table on every pass (and so would
  // min() and max() in one SELECT: SQLite reads each from the end of the index only when it stands alone).
  const rowEstimate = db
    .prepare('SELECT coalesce((SELECT max(id) FROM request_logs) - (SELECT min(id) FROM request_logs) + 1, 0)')
    .pluck()
  const run = new ChunkedDelete(db, stopped)
  const cutoff = new Date(now - policy.maxAgeDays * 86_400_000).toISOString()
  let deletedByAge = 0
  while (run.live) {
    let asked = 0
    const changes = await run.chunk((rows) => {
      asked = rows
      return deleteBefore.run(cutoff, rows).changes
    })
    deletedByAge += changes
    if (changes < asked) break
  }

  const capBytes = policy.maxDbMb * 1024 * 1024
  let deletedBySize = 0
  while (run.live) {
    const used = usedBytes(db)
    if (used <= capBytes) break
    const rows = rowEstimate.get() as number
    if (rows === 0) break
    // Aim a little past the cap: pages free up only once every row on them is gone.
    const excessRows = Math.ceil(((used - capBytes) / (used / rows)) * 1.1)
    const changes = await run.chunk((n) => deleteOldest.run(n).changes, excessRows)
    if (changes === 0) break
    deletedBySize += changes
  }

  if (deletedByAge + deletedBySize > 0 && run.live && db.pragma('auto_vacuum', { simple: true }) === 2) {
    const freePages = () => db.pragma('freelist_count', { simple: true }) as number
    for (let free = freePages(); run.live && free > 0; ) {
      db.pragma(`incremental_vacuum(${VACUUM_PAGES})`)
      await nextTurn()
      if (!run.live) break
      const left = freePages()
      if (left >= free) break
      free = left
    }
  }
  return { deletedByAge, deletedBySize }
}

/**
 * Runs retention shortly after start and then every `intervalMs`, without keeping the process alive; a
 * run still going when the next is due is left to finish, and `stop()` ends it after its current chunk.
 */
export function startRetention(
  db: Db,
  policy: RetentionPolicy,
  { intervalMs = 10 * 60_000, firstRunMs = 5_000 } = {},
): { stop(): void } {
  let running = false
  let stopped = false
  const run = async () => {
    if (running || stopped || !db.open) return
    running = true
    try {
      await enforceRetention(db, policy, Date.now(), () => stopped)
    } catch (err) {
      // A database closed mid-run (shutdown) is not a failure worth a warning.
      if (db.open) process.emitWarning(`request log retention failed: ${(err as Error).message}`)
    } finally {
      running = false
    }
  }
  const first = setTimeout(run, firstRunMs).unref()
  const every = setInterval(run, intervalMs).unref()
  return {
    stop() {
      stopped = true
      clearTimeout(first)
      clearInterval(every)
    },
  }
}
