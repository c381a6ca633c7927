import { afterAll, beforeAll, expect, it } from 'vitest'
import type { LogPage } from '../../src-shared/contract/logs.js'
import type { StatsResult } from '../../src-shared/contract/stats.js'
import { loadAround } from '../helpers/cluster-load.js'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

/**
 * The request log's flush interval (store/pg/log-writer.ts, `flushMs`): a row is in Postgres at most this long after
 * its call ended. The slack covers a 2-core machine running other tests, where the timer fires late.
 */
const FLUSH_WINDOW_MS = 200
const SCHEDULING_SLACK_MS = 300

const LOAD_KEY = 'sk-shared-log-load-0123456789'

let pg: PostgresServer
let redis: RedisServer
let mock: RunningMock
let cluster: GatewayCluster

beforeAll(async () => {
  ;[pg, redis] = await Promise.all([startPostgres(), startRedis()])
  mock = await startMockUpstream(['--latency-ms', '20', '--chunks', '4', '--chunk-interval-ms', '15'])
  cluster = await startCluster({
    instances: 3,
    lb: true,
    env: { SHARED_LOG_LOAD_KEY: LOAD_KEY },
    configYaml: `
redis: ${redis.url}
database: ${pg.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 1, output: 1 }
keys:
  - name: load
    key: "\${env:SHARED_LOG_LOAD_KEY}"
`,
  })
})
afterAll(async () => {
  await cluster?.stop()
  await Promise.all([redis?.stop(), pg?.stop(), mock?.stop()])
})

/** The random part every request id of one process starts with (core/request-id.ts): which instance answered. */
const processOf = (requestId: string) => requestId.slice(0, -6)

async function processIdOf(url: string): Promise<string> {
  const res = await fetch(`${url}/health`)
  return processOf(res.headers.get('x-request-id') ?? '')
}

/** Every row of the shared log as instance `i` lists it (page by page), and the total of its first page. */
async function listed(i: number): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = []
  let total = -1
  for (let cursor: string | null = null; ; ) {
    const qs = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) })
    const res = await fetch(`${cluster.urls[i]}/admin/v1/logs?${qs}`, { headers: cluster.adminHeaders(i) })
    expect(res.status).toBe(200)
    const page = (await res.json()) as LogPage
    if (total < 0) total = page.total
    ids.push(...page.items.map((r) => r.requestId))
    cursor = page.nextCursor
    if (!cursor) return { ids, total }
  }
}

async function statsTotal(i: number): Promise<number> {
  const from = new Date(Date.now() - 7_200_000).toISOString()
  const res = await fetch(`${cluster.urls[i]}/admin/v1/stats?bucket=hour&from=${from}`, {
    headers: cluster.adminHeaders(i),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as StatsResult).totals.requests
}

it('three instances write one log: after a SIGKILL, any survivor lists every row each instance answered before its last flush window, once', async () => {
  const processes = await Promise.all(cluster.urls.map(processIdOf))
  expect(new Set(processes).size).toBe(3)
  const { calls, signalledAt } = await loadAround(cluster, { key: LOAD_KEY, instance: 1, afterMs: 1500 })
  const answered = calls.filter((c) => c.requestId)
  // Every instance answered some of the load (nginx round-robins model calls).
  for (const p of processes) expect(answered.filter((c) => processOf(c.requestId!) === p).length).toBeGreaterThan(3)

  // What the killed instance acknowledged before its last flush window, and everything the survivors answered.
  const owed = answered.filter(
    (c) => processOf(c.requestId!) !== processes[1] || c.endedAt < signalledAt - FLUSH_WINDOW_MS - SCHEDULING_SLACK_MS,
  )
  expect(owed.filter((c) => processOf(c.requestId!) === processes[1]).length).toBeGreaterThan(3)
  let seen: { ids: string[]; total: number } = { ids: [], total: 0 }
  await expect
    .poll(
      async () => {
        seen = await listed(0)
        const have = new Set(seen.ids)
        return owed.filter((c) => !have.has(c.requestId!)).map((c) => c.requestId)
      },
      { timeout: 10_000, interval: 250 },
    )
    .toEqual([])
  // Once each: no row twice, and the total counts what the pages list.
  expect(new Set(seen.ids).size).toBe(seen.ids.length)
  expect(seen.total).toBe(seen.ids.length)
  // Nothing is listed that no client was answered (a call in flight on the killed one may or may not be there).
  const known = new Set(answered.map((c) => c.requestId))
  const inFlight = calls.filter((c) => c.error).length
  expect(seen.ids.filter((id) => !known.has(id)).length).toBeLessThanOrEqual(inFlight)

  // The other survivor shows the same log, and both dashboards count the same calls.
  const other = await listed(2)
  expect(other.total).toBe(seen.total)
  expect(new Set(other.ids)).toEqual(new Set(seen.ids))
  const [a, b] = await Promise.all([statsTotal(0), statsTotal(2)])
  expect(a).toBe(b)
  expect(a).toBe(seen.total)
})
