import { join } from 'node:path'
import Database from 'better-sqlite3'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type LoadCall as Call, loadAround } from '../helpers/cluster-load.js'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

/**
 * The request log's flush interval (store/log-writer.ts, `flushMs`): a row is in SQLite at most this long
 * after its call ended. The slack covers a 2-core machine running other tests, where the timer fires late.
 */
const FLUSH_WINDOW_MS = 200
const SCHEDULING_SLACK_MS = 300

/** The client key of the load, limited and budgeted so every call also goes through the shared state. */
const LOAD_KEY = 'sk-failover-load-0123456789'

let mock: RunningMock
let redis: RedisServer
let cluster: GatewayCluster

beforeAll(async () => {
  redis = await startRedis()
  // A little latency and paced chunks keep calls in flight at every moment, as under real traffic.
  mock = await startMockUpstream(['--latency-ms', '20', '--chunks', '4', '--chunk-interval-ms', '15'])
  // compose.yaml's topology: Redis, gateways with one config, nginx in front.
  cluster = await startCluster({
    instances: 3,
    lb: true,
    env: { FAILOVER_LOAD_KEY: LOAD_KEY },
    configYaml: `
redis: ${redis.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 1, output: 1 }
keys:
  - name: load
    key: "\${env:FAILOVER_LOAD_KEY}"
    limits: { rpm: 100000, tpm: 100000000 }
    budget: { usd: 1000, period: month }
`,
  })
})
afterAll(async () => {
  await cluster?.stop()
  await redis?.stop()
  await mock?.stop()
})

/** The random part every request id of one process starts with (core/request-id.ts): which instance answered. */
const processOf = (requestId: string) => requestId.slice(0, -6)

async function processIdOf(url: string): Promise<string> {
  const res = await fetch(`${url}/health`)
  return processOf(res.headers.get('x-request-id') ?? '')
}

/** Request ids of answered calls in every instance's SQLite, the dead ones' included. */
function answeredRequestIds(): string[] {
  return cluster.instances.flatMap(({ dataDir }) => [...loggedRequestIds(dataDir, 'WHERE status = 200')])
}

function loggedRequestIds(dataDir: string, where = ''): Set<string> {
  const db = new Database(join(dataDir, 'switchyard.db'))
  try {
    const rows = db.prepare(`SELECT request_id FROM request_logs ${where}`).all() as { request_id: string }[]
    return new Set(rows.map((r) => r.request_id))
  } finally {
    db.close()
  }
}

/** Waits until instance `i`'s SQLite holds a row for each of `calls` it answered (rows are flushed every 200 ms). */
async function expectLogged(i: number, calls: Call[], processes: string[]): Promise<void> {
  const theirs = calls.filter((c) => c.requestId && processOf(c.requestId) === processes[i])
  expect(theirs.length).toBeGreaterThan(0)
  await expect
    .poll(() => theirs.filter((c) => !loggedRequestIds(cluster.instances[i].dataDir).has(c.requestId!)).length, {
      timeout: 5000,
    })
    .toBe(0)
}

let processes: string[]

it('SIGKILL of one of three instances under load: every later call succeeds through nginx, and the dead one kept its acknowledged rows', async () => {
  processes = await Promise.all(cluster.urls.map(processIdOf))
  expect(new Set(processes).size).toBe(3)
  const { calls, signalledAt, goneAt } = await loadAround(cluster, {
    key: LOAD_KEY,
    instance: 1,
    signal: 'SIGKILL',
    afterMs: 2500,
  })

  // Between the signal and the exit being seen, calls still end: those in flight on the dead one fail.
  const before = calls.filter((c) => c.endedAt < signalledAt)
  const after = calls.filter((c) => c.startedAt > goneAt)
  expect(before.length).toBeGreaterThan(20)
  expect(after.length).toBeGreaterThan(20)
  expect(before.filter((c) => c.error)).toEqual([])
  // The promise: once an instance is gone, no caller sees it. (A call in flight on it when it died may fail.)
  expect(
    after.filter((c) => c.error),
    cluster.lbLog(),
  ).toEqual([])
  expect(after.filter((c) => c.stream).length).toBeGreaterThan(0)
  expect(after.every((c) => c.requestId && processOf(c.requestId) !== processes[1])).toBe(true)

  // The dead instance's SQLite holds every call it answered before its last flush window.
  const acknowledged = before.filter(
    (c) =>
      c.requestId &&
      processOf(c.requestId) === processes[1] &&
      c.endedAt < signalledAt - FLUSH_WINDOW_MS - SCHEDULING_SLACK_MS,
  )
  expect(acknowledged.length).toBeGreaterThan(3)
  const kept = loggedRequestIds(cluster.instances[1].dataDir)
  expect(acknowledged.filter((c) => !kept.has(c.requestId!))).toEqual([])

  // The survivors still take from the shared limit after the kill.
  const client = new OpenAI({ baseURL: `${cluster.lbUrl}/v1`, apiKey: LOAD_KEY, maxRetries: 0 })
  const { response, request_id } = await client.chat.completions
    .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'after' }] })
    .withResponse()
  expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100000')

  // The survivors log every call they answered, before and after the kill (this last one too, so that the next
  // test's count of rows does not see it land late).
  const last: Call = { startedAt: 0, endedAt: 0, stream: false, requestId: request_id ?? undefined }
  for (const i of [0, 2]) await expectLogged(i, [...calls, last], processes)
})

it('SIGTERM of one of the two left under load (a rolling restart): with the SDK retries no call fails, and none runs twice', async () => {
  const before = new Set(answeredRequestIds())
  // A call that reaches the closing gateway on a kept-alive connection is refused (503 shutting_down, it ran
  // nothing), or meets that connection being closed before the gateway read it (nginx: 502): both are safe to
  // retry, and the SDKs do by default. In-flight calls finish within the shutdown grace.
  const { calls, goneAt } = await loadAround(cluster, {
    key: LOAD_KEY,
    instance: 2,
    signal: 'SIGTERM',
    maxRetries: 2,
    afterMs: 2500,
  })
  expect(calls.filter((c) => c.startedAt > goneAt).length).toBeGreaterThan(20)
  expect(
    calls.filter((c) => c.error),
    cluster.lbLog(),
  ).toEqual([])
  // The stopped gateway wrote every row before it exited, and no retry made a second call upstream: the answered
  // rows, all instances together, are those of the calls' final attempts and no others (a retried attempt that
  // had run would show as a row no call names).
  await expectLogged(2, calls, processes)
  const answeredSince = () => answeredRequestIds().filter((id) => !before.has(id))
  await expect.poll(() => answeredSince().sort(), { timeout: 5000 }).toEqual(calls.map((c) => c.requestId).sort())
})
