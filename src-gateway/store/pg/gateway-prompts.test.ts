import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { type RunningMock, startMockUpstream } from '../../../test/helpers/upstreams.js'
import { parseConfig } from '../../config/load.js'
import { buildGateway } from '../../server.js'
import { PROMPT_TABLES } from './schema-prompts.js'

// `database` end to end for the prompt library, feedback and comparison runs: two gateways, each with its own data
// folder, on one Postgres. What one saves, labels, runs and rates through its admin API the other lists, runs and
// reads; their own SQLite holds none of it.

let server: PostgresServer
let mock: RunningMock
const dirs: string[] = []
const apps: FastifyInstance[] = []
const SECRET = 'a-shared-secret-key-for-the-instances-0123'
/** Planted: the provider's key must reach none of this part's tables (S7). */
const PROVIDER_KEY = 'sk-planted-provider-key-7f3a9c2e5b1d'

beforeAll(async () => {
  ;[server, mock] = await Promise.all([startPostgres(), startMockUpstream()])
}, 60_000)
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  await mock?.stop()
  await server?.stop()
})

interface Gateway {
  app: FastifyInstance
  url: string
  // biome-ignore lint/suspicious/noExplicitAny: the test reads loosely typed API answers
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }>
}

/** Saves a one-message version of prompt `name` through `gw`'s admin API; resolves with the answer's status. */
async function saveVersion(gw: Gateway, name: string, content: string): Promise<number> {
  const saved = await gw.call('POST', `/admin/v1/prompts/${name}/versions`, {
    model: 'mock/gpt-a',
    messages: [{ role: 'user', content }],
  })
  return saved.status
}

async function start(): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-pgprompts-'))
  dirs.push(dataDir)
  const yaml = `discovery: { enabled: false }
database: ${server.url}
providers:
  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: "${PROVIDER_KEY}" }
pricing:
  mock/gpt-a: { input: 1000, output: 2000 }
prompts:
  greet:
    model: mock/gpt-a
    messages:
      - { role: user, content: "Say hello to {{name}}" }
`
  const app = buildGateway(parseConfig(yaml, 'yaml', { SWITCHYARD_SECRET_KEY: SECRET }), { webRoot: false, dataDir })
  apps.push(app)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    app,
    url,
    async call(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${app.adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return {
        status: res.status,
        text,
        json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
      }
    },
  }
}

it('two gateways on one Postgres share prompts, labels, runs, cells and ratings through their admin APIs', async () => {
  // Both import the config's prompt at once: one version, not one per instance.
  const [a, b] = await Promise.all([start(), start()])
  expect((await b.call('GET', '/admin/v1/prompts/greet/versions')).json.total).toBe(1)

  // A saves and labels; B sees both, saves the next version, and A's label history shows B's move.
  const saved = await a.call('POST', '/admin/v1/prompts/welcome/versions', {
    model: 'mock/gpt-a',
    messages: [{ role: 'user', content: 'Welcome {{name}}' }],
    note: 'from a',
  })
  expect(saved.status).toBe(201)
  expect((await b.call('GET', '/admin/v1/prompts/welcome')).json).toMatchObject({
    name: 'welcome',
    latestVersion: 1,
    latest: { note: 'from a' },
  })
  expect(await saveVersion(b, 'welcome', 'Welcome back {{name}}')).toBe(201)
  expect((await a.call('PUT', '/admin/v1/prompts/welcome/labels/prod', { version: 1 })).status).toBe(200)
  expect((await b.call('PUT', '/admin/v1/prompts/welcome/labels/prod', { version: 2 })).status).toBe(200)
  const moves = (await a.call('GET', '/admin/v1/prompts/welcome/label-history')).json.items
  expect(moves.map((m: { to: unknown }) => m.to)).toEqual([{ version: 2 }, { version: 1 }])
  expect((await a.call('GET', '/admin/v1/prompts?limit=10')).json.items.map((p: { name: string }) => p.name)).toEqual([
    'welcome',
    'greet',
  ])

  // A prompt run on A uses the label B moved.
  const client = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: a.app.adminToken })
  const run = await client.post('/prompts/welcome/run', { body: { label: 'prod', variables: { name: 'Ada' } } })
  expect(JSON.stringify(run)).toContain('Welcome back Ada')

  // A comparison run started on A is listed on B, and B reads its cells once A's runner finished them.
  const started = await a.call('POST', '/admin/v1/compare/runs', {
    name: 'shared run',
    prompts: [{ name: 'greet' }],
    models: ['mock/gpt-a'],
    dataset: { rows: [{ name: 'Ann' }, { name: 'Bob' }] },
  })
  expect(started.status).toBe(202)
  const id = started.json.id as number
  let seen:
    | { status: string; cells: { status: string; output: string; requestId: string; rating: string | null }[] }
    | undefined
  for (let i = 0; i < 200; i++) {
    seen = (await b.call('GET', `/admin/v1/compare/runs/${id}`)).json
    if (seen?.status === 'done') break
    await new Promise((r) => setTimeout(r, 50))
  }
  expect(seen?.status).toBe('done')
  expect(
    seen?.cells.map((c) => c.output),
    JSON.stringify(seen?.cells),
  ).toEqual(['Echo: Say hello to Ann', 'Echo: Say hello to Bob'])
  expect((await b.call('GET', '/admin/v1/compare/runs?limit=5')).json.items).toMatchObject([{ id, name: 'shared run' }])
  expect((await b.call('GET', `/admin/v1/compare/runs/${id}/export?format=csv`)).text).toContain('Say hello to Bob')

  // B rates a cell; A shows the rating on the cell and counts it in the prompt's arm stats.
  const rated = seen!.cells[0].requestId
  expect((await b.call('POST', '/admin/v1/feedback', { requestId: rated, rating: 'up' })).status).toBe(200)
  const fromA = (await a.call('GET', `/admin/v1/compare/runs/${id}`)).json
  expect(fromA.cells[0].rating).toBe('up')
  for (const g of [a, b]) await g.app.requestLog.flush()
  const stats = (await a.call('GET', '/admin/v1/prompts/greet/stats')).json.items
  expect(stats).toMatchObject([{ version: 1, requests: 2, thumbsUp: 1, thumbsDown: 0 }])

  // Neither the provider's key nor an instance's admin token is stored with the prompts, runs, cells or ratings.
  const pool = new (await import('pg')).default.Pool({ connectionString: server.url, max: 1 })
  try {
    for (const table of PROMPT_TABLES) {
      const { rows } = await pool.query(`SELECT t::text AS row FROM ${table} t`)
      expect(rows.length, table).toBeGreaterThan(0)
      for (const planted of [PROVIDER_KEY, a.app.adminToken, b.app.adminToken]) {
        expect(
          rows.some((r) => r.row.includes(planted)),
          `${table} holds a secret`,
        ).toBe(false)
      }
    }
  } finally {
    await pool.end()
  }

  // The instances' own SQLite holds none of it.
  for (const g of [a, b]) {
    for (const table of ['prompts', 'compare_runs', 'feedback']) {
      expect((g.app.db!.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n).toBe(0)
    }
  }

  // Deleted on B, gone on A.
  expect((await b.call('DELETE', `/admin/v1/compare/runs/${id}`)).status).toBe(204)
  expect((await a.call('GET', `/admin/v1/compare/runs/${id}`)).status).toBe(404)
  expect((await a.call('DELETE', '/admin/v1/prompts/welcome')).status).toBe(204)
  expect((await b.call('GET', '/admin/v1/prompts/welcome')).status).toBe(404)
}, 90_000)

it('a backup taken through one gateway holds the shared library, and restoring it through another puts it back for both', async () => {
  const [a, b] = await Promise.all([start(), start()])
  await saveVersion(a, 'kept', 'v1')
  await a.call('PUT', '/admin/v1/prompts/kept/labels/prod', { version: 1 })
  const backup = await a.call('POST', '/admin/v1/backups', {})
  expect(backup.status).toBe(201)
  const file = JSON.parse((await a.call('GET', `/admin/v1/backups/${backup.json.id}`)).text)
  expect(file.prompts.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['greet', 'kept']))

  // Changed through B after the backup, then restored through A (the backup file is in A's data folder).
  await saveVersion(b, 'kept', 'v2')
  await saveVersion(b, 'later', 'x')
  const preview = (await a.call('GET', `/admin/v1/backups/${backup.json.id}/preview`)).json
  expect(preview.prompts).toEqual({ added: [], removed: ['later'], changed: ['kept'] })
  expect((await a.call('POST', `/admin/v1/backups/${backup.json.id}/restore`)).status).toBe(200)
  expect((await b.call('GET', '/admin/v1/prompts/later')).status).toBe(404)
  expect((await b.call('GET', '/admin/v1/prompts/kept')).json).toMatchObject({
    latestVersion: 1,
    labels: [{ label: 'prod' }],
  })
  // The identities continue after the restored ids: the next save is numbered, not refused.
  expect(await saveVersion(b, 'kept', 'v3')).toBe(201)
}, 90_000)
