/**
 * A member's reports beside an admin's over a big team log (issue 23 "A million rows without a freeze", issue 21):
 * fills SCALE_DIR (kept for the next run when set) with SCALE_ROWS rows over 30 days spread evenly over three
 * workspaces, starts the gateway in team mode on it, and times over HTTP the Overview (24 h, 7 d, 30 d) and a
 * Logs page for the admin token and for a developer service account of one workspace. Prints the median of
 * MEMBER_RUNS runs (after one warm-up run) per report and caller.
 *
 *   SCALE_ROWS=1000000 SCALE_DIR=/tmp/scale-ws-1m npx tsx test/bench/member-reports.ts
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { fillLog } from '../helpers/fill-log.js'
import { ADMIN_ENV, TEST_ADMIN_TOKEN } from '../helpers/gateway.js'
import { overviewCall } from './scale-load.js'

const ROWS = Number(process.env.SCALE_ROWS ?? 1_000_000)
const RUNS = Number(process.env.MEMBER_RUNS ?? 5)
const keep = process.env.SCALE_DIR !== undefined
const dir = process.env.SCALE_DIR ?? mkdtempSync(join(tmpdir(), 'switchyard-member-'))
const DAY = 86_400_000
export const BENCH_WORKSPACES = ['alpha', 'beta', 'gamma'] as const

const yaml = `discovery: { enabled: false }
auth: { mode: team }
logs: { maxAgeDays: 36500, maxDbMb: 1000000 }
workspaces:
  alpha: { name: Alpha }
  beta: { name: Beta }
  gamma: { name: Gamma }
`

async function main() {
  mkdirSync(dir, { recursive: true })
  if (!existsSync(join(dir, 'switchyard.db'))) {
    const filled = fillLog(dir, { rows: ROWS, days: 30, bodyBytes: 0, workspaces: BENCH_WORKSPACES })
    console.log(`filled ${ROWS} rows in ${(filled.ms / 1000).toFixed(1)} s`)
  }
  const t0 = performance.now()
  const app = buildGateway(parseConfig(yaml, 'yaml', ADMIN_ENV), {
    webRoot: false,
    dataDir: dir,
    configPath: join(dir, 'config.yaml'),
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  console.log(`started in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const get = async (bearer: string, path: string) => {
    const t = performance.now()
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}` } })
    const text = await res.text()
    // The report worker stops a report after 60 s (503 report_timeout): shown as failed, not timed.
    if (res.status === 503) return Number.POSITIVE_INFINITY
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`)
    return performance.now() - t
  }
  try {
    const made = await fetch(`${url}/admin/v1/team/service-accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench member', role: 'developer', workspaces: ['alpha'] }),
    })
    const member = ((await made.json()) as { token: string }).token
    const reports: [string, string][] = [
      ['overview 24h', overviewCall(DAY, 'hour')],
      ['overview 7d', overviewCall(7 * DAY, 'day')],
      ['overview 30d', overviewCall(30 * DAY, 'day')],
      ['logs page', '/admin/v1/logs?limit=100'],
      ['logs filtered', '/admin/v1/logs?limit=100&provider=ollama'],
    ]
    console.log(`${'report'.padEnd(16)}${'admin ms'.padStart(10)}${'member ms'.padStart(11)}`)
    for (const [name, path] of reports) {
      const median: number[] = []
      for (const bearer of [TEST_ADMIN_TOKEN, member]) {
        if ((await get(bearer, path)) === Number.POSITIVE_INFINITY) {
          median.push(Number.POSITIVE_INFINITY)
          continue
        }
        const times: number[] = []
        for (let i = 0; i < RUNS; i++) times.push(await get(bearer, path))
        median.push(times.sort((a, b) => a - b)[Math.floor(RUNS / 2)])
      }
      const cell = (ms: number, width: number) =>
        (ms === Number.POSITIVE_INFINITY ? '503 >60s' : ms.toFixed(0)).padStart(width)
      console.log(`${name.padEnd(16)}${cell(median[0], 10)}${cell(median[1], 11)}`)
    }
  } finally {
    await app.close()
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}

await main()
