// After a bench run: every request the gateway completed must be in its request log. The load generator
// counts requests sent during warmup and the measured window (`requests_total`); the database must hold
// at least that many rows (it also has the probe requests and any still in flight at the end).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

const [resultsFile, dataDir] = process.argv.slice(2)
const runs = JSON.parse(readFileSync(resultsFile, 'utf8')).runs.filter((r) => r.target === 'gateway')
const sent = runs.reduce((sum, r) => sum + (r.requests_total ?? 0), 0)
const db = new Database(join(dataDir, 'switchyard.db'), { readonly: true })
const { rows, failed } = db.prepare('SELECT count(*) AS rows, sum(status >= 400) AS failed FROM request_logs').get()
db.close()
console.log(
  `request log: ${rows} rows (${failed ?? 0} with status >= 400) for ${sent} requests sent by the load generator`,
)
if (rows < sent) {
  console.error(`LOST ROWS: ${sent - rows}`)
  process.exit(1)
}
