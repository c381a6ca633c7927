// After a bench run: every request the gateway completed must be in its request log. The load generator
// counts requests sent during warmup and the measured window (`requests_total`); the log must hold at least
// that many rows (it also has the probe requests and any still in flight at the end). The log is the data
// folder's SQLite (`count-rows.mjs RESULTS DATA_DIR`) or, for the `shared` profile, Postgres
// (`count-rows.mjs RESULTS --pg URL`).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'

const [resultsFile, where, pgUrl] = process.argv.slice(2)
const runs = JSON.parse(readFileSync(resultsFile, 'utf8')).runs.filter((r) => r.target === 'gateway')
const sent = runs.reduce((sum, r) => sum + (r.requests_total ?? 0), 0)
const COUNT = 'SELECT count(*) AS rows, sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS failed FROM request_logs'
let rows
let failed
if (where === '--pg') {
  const client = new pg.Client({ connectionString: pgUrl })
  await client.connect()
  const { rows: r } = await client.query(COUNT)
  await client.end()
  rows = Number(r[0].rows)
  failed = Number(r[0].failed ?? 0)
} else {
  const db = new Database(join(where, 'switchyard.db'), { readonly: true })
  ;({ rows, failed } = db.prepare(COUNT).get())
  db.close()
}
console.log(
  `request log: ${rows} rows (${failed ?? 0} with status >= 400) for ${sent} requests sent by the load generator`,
)
if (rows < sent) {
  console.error(`LOST ROWS: ${sent - rows}`)
  process.exit(1)
}
