/**
 * The request log's own costs at a million rows (issue 23), without HTTP: the database's size per row and per
 * table, search and filtered pages (listLogs), a whole export read in batches with a turn between them (as the
 * export route does), retention of a third of the rows, and the search index's backfill (what the migration
 * does on the first start after an update). Prints one line per measure.
 *
 *   npx tsx test/bench/logs-million.ts            # ROWS=200000 for a shorter run
 *
 * On the old code (a worktree), run the same file with OLD=1 (skips the search-index backfill); its fill-log
 * needs the rollup call removed, as the old schema has no rollup tables.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { closeDatabase, openDatabase } from '../../src-gateway/store/db.js'
import { listLogs, logBatches } from '../../src-gateway/store/log-queries.js'
import { enforceRetention, usedBytes } from '../../src-gateway/store/retention.js'
import { fillLog, RARE_TERMS } from '../helpers/fill-log.js'
import { watchLoopStalls } from '../helpers/loop-stalls.js'

const ROWS = Number(process.env.ROWS ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'switchyard-logs-million-'))
const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a)
const f = fillLog(dir, { rows: ROWS, days: 30, onProgress: (n) => n % 200_000 === 0 && log('filled', n) })
log('fill', ROWS, 'rows', (f.ms / 1000).toFixed(1), 's', 'rare', f.rare)
const db = openDatabase(dir)
const bytes = usedBytes(db)
log('db used bytes', bytes, 'per row', (bytes / ROWS).toFixed(0), 'file', statSync(join(dir, 'switchyard.db')).size)
try {
  const rows = db
    .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 12')
    .all()
  log('by table', JSON.stringify(rows))
} catch (e) {
  log('no dbstat', (e as Error).message)
}
/** Runs `fn`, printing its time and the longest the event loop was held meanwhile. */
const time = async (label: string, fn: () => unknown) => {
  const stalls = watchLoopStalls()
  const t = performance.now()
  const r = await fn()
  const ms = performance.now() - t
  log(label, ms.toFixed(1), 'ms, longest stall', stalls.stop().cpuMs.toFixed(1), 'ms CPU')
  return r
}
for (let k = 0; k < 2; k++) {
  await time(`search body rare (${k})`, () => listLogs(db, { q: RARE_TERMS.body }, { limit: 100 }))
  await time(`search error rare (${k})`, () => listLogs(db, { q: RARE_TERMS.error }, { limit: 100 }))
}
await time('search common word "gateway"', () => listLogs(db, { q: 'gateway' }, { limit: 100 }))
await time('search two words "unit test"', () => listLogs(db, { q: 'unit test' }, { limit: 100 }))
await time('search prefix "quetz"', () => listLogs(db, { q: 'quetz' }, { limit: 100 }))
for (const [name, fl] of [
  ['none', {}],
  ['provider=ollama', { provider: 'ollama' }],
  ['key=alice', { key: 'alice' }],
  ['status=error', { status: 'error' as const }],
  ['status=429', { status: 429 }],
  ['provider+24h', { provider: 'ollama', from: new Date(Date.parse(f.to) - 86400000).toISOString() }],
  ['cache=hit', { cache: 'hit' as const }],
  ['key=alice+errors', { key: 'alice', status: 'error' as const }],
  ['model=qwen2.5-coder', { model: 'qwen2.5-coder' }],
  ['model=none-such', { model: 'none-such' }],
] as const) {
  const p = (await time(`page ${name}`, () => listLogs(db, fl as never, { limit: 100 }))) as {
    nextCursor: string | null
    total: number
  }
  if (p.nextCursor)
    await time(`page 2 ${name}`, () => listLogs(db, fl as never, { limit: 100, cursor: Number(p.nextCursor) }))
}
// Export: all batches, as the route does (a turn between batches), with the longest synchronous step.
{
  const stalls = watchLoopStalls()
  const t = performance.now()
  let n = 0
  let out = 0
  for (const b of logBatches(db, {})) {
    n += b.length
    out += b.map((i) => JSON.stringify(i)).join('\n').length
    await nextTurn()
  }
  const s = stalls.stop()
  log(
    'export',
    n,
    'rows',
    (out / 1e6).toFixed(0),
    'MB',
    ((performance.now() - t) / 1000).toFixed(1),
    's, longest stall',
    s.cpuMs.toFixed(1),
    'ms CPU',
    s.wallMs.toFixed(1),
    'ms wall',
  )
}
// Retention: a third by age.
{
  const stalls = watchLoopStalls()
  const t = performance.now()
  const out = await Promise.resolve(enforceRetention(db, { maxAgeDays: 20, maxDbMb: 1_000_000 }, Date.parse(f.to)))
  const s = stalls.stop()
  log(
    'retention',
    JSON.stringify(out),
    ((performance.now() - t) / 1000).toFixed(1),
    's, longest stall',
    s.cpuMs.toFixed(1),
    'ms CPU',
    s.wallMs.toFixed(1),
    'ms wall',
  )
}
await time('search body rare after retention', () => listLogs(db, { q: RARE_TERMS.body }, { limit: 100 }))
// The migration's backfill of the search index, over what is left.
if (!process.env.OLD) {
  const left = db.prepare('SELECT count(*) FROM request_logs').pluck().get() as number
  db.exec("INSERT INTO request_logs_fts(request_logs_fts) VALUES('delete-all')")
  const t = performance.now()
  db.exec(`INSERT INTO request_logs_fts(rowid, meta, body)
   SELECT r.id, concat_ws(' ', r.request_id, r.route, r.requested_model, r.model, r.error), t.body FROM request_logs r LEFT JOIN request_log_body_text t ON t.log_id = r.id`)
  const ms = performance.now() - t
  log(
    'search index backfill',
    left,
    'rows',
    (ms / 1000).toFixed(1),
    's:',
    ((ms / left) * 1000).toFixed(1),
    's per 1M rows',
  )
}
closeDatabase(db)
rmSync(dir, { recursive: true, force: true })
log('done')
