import type { Db } from './db.js'

export interface RetentionPolicy {
  maxAgeDays: number
  maxDbMb: number
}

export const DEFAULT_RETENTION: RetentionPolicy = { maxAgeDays: 30, maxDbMb: 1024 }

/** Rows deleted per transaction: small enough that one chunk never stalls the request path for long. */
const CHUNK = 2000
/** Size passes per run; whatever is still over the cap waits for the next run. */
const MAX_SIZE_PASSES = 50

/** Bytes the database's pages hold, not counting free pages that deleted rows left behind. */
export function usedBytes(db: Db): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const pages = db.pragma('page_count', { simple: true }) as number
  const free = db.pragma('freelist_count', { simple: true }) as number
  return (pages - free) * pageSize
}

/**
 * Deletes rows older than `maxAgeDays`, then the oldest rows while the database is over `maxDbMb`
 * (bodies go with their rows), and returns freed pages to the OS where the file allows it.
 */
export function enforceRetention(
  db: Db,
  policy: RetentionPolicy,
  now = Date.now(),
): { deletedByAge: number; deletedBySize: number } {
  const deleteOldest = db.prepare(
    'DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs ORDER BY id LIMIT ?)',
  )
  const deleteBefore = db.prepare(
    'DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE created_at < ? LIMIT ?)',
  )
  const cutoff = new Date(now - policy.maxAgeDays * 86_400_000).toISOString()
  let deletedByAge = 0
  for (;;) {
    const { changes } = deleteBefore.run(cutoff, CHUNK)
    deletedByAge += changes
    if (changes < CHUNK) break
  }

  const capBytes = policy.maxDbMb * 1024 * 1024
  let deletedBySize = 0
  for (let pass = 0; pass < MAX_SIZE_PASSES; pass++) {
    const used = usedBytes(db)
    if (used <= capBytes) break
    const { n: rows } = db.prepare('SELECT count(*) AS n FROM request_logs').get() as { n: number }
    if (rows === 0) break
    // Aim a little past the cap: pages free up only once every row on them is gone.
    const excessRows = Math.ceil(((used - capBytes) / (used / rows)) * 1.1)
    const { changes } = deleteOldest.run(Math.min(CHUNK, Math.max(1, excessRows)))
    deletedBySize += changes
  }

  if (deletedByAge + deletedBySize > 0 && db.pragma('auto_vacuum', { simple: true }) === 2) {
    db.pragma('incremental_vacuum')
  }
  return { deletedByAge, deletedBySize }
}

/** Runs retention shortly after start and then every `intervalMs`, without keeping the process alive. */
export function startRetention(
  db: Db,
  policy: RetentionPolicy,
  { intervalMs = 10 * 60_000, firstRunMs = 5_000 } = {},
): { stop(): void } {
  const run = () => {
    if (!db.open) return
    try {
      enforceRetention(db, policy)
    } catch (err) {
      process.emitWarning(`request log retention failed: ${(err as Error).message}`)
    }
  }
  const first = setTimeout(run, firstRunMs).unref()
  const every = setInterval(run, intervalMs).unref()
  return {
    stop() {
      clearTimeout(first)
      clearInterval(every)
    },
  }
}
