import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sourceSecrets } from '../../src-gateway/cli/migrate.js'
import { closeDatabase, openDatabase } from '../../src-gateway/store/db.js'
import { openPgPool, type PgPool } from '../../src-gateway/store/pg/pool.js'
import { passphraseTotpCipher, totpCipher } from '../../src-gateway/team/totp-cipher.js'
import { everyRow, type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { runCli } from '../helpers/run-cli.js'
import { type ServeProcess, startServe } from '../helpers/serve-process.js'
import { type RecordedRequest, type RunningMock, startChatUpstream } from '../helpers/upstreams.js'

// `switchyard migrate`: a desktop-style data folder (secrets sealed with its generated key) seeded through a real
// gateway's admin API and calls is copied into Postgres; a gateway on that Postgres (a fresh data folder) serves
// the same config, the old virtual key works and reaches the provider with the old provider key, and the Logs,
// search and stats show the same calls. A non-empty target is refused; --force replaces; no credential is in
// Postgres in plain text.

const SECRET_KEY = randomBytes(32).toString('base64url')
const PROVIDER_KEY = `sk-provider-${randomBytes(12).toString('hex')}`
const CALLS = 4
const TOTP = randomBytes(10).toString('hex').toUpperCase()

let pg: PostgresServer
let db: PgPool
let upstream: RunningMock & { requests: RecordedRequest[] }
let source: ServeProcess | undefined
let target: ServeProcess | undefined
let virtualKey = ''

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) })
async function adminOf(s: ServeProcess, method: string, path: string, body?: unknown) {
  const { body: text, ...type } = body === undefined ? { body: undefined } : json(body)
  return fetch(`${s.baseUrl}/admin/v1${path}`, { method, headers: { ...s.adminHeaders, ...type }, body: text })
}

function migrate(dataDir: string, ...extra: string[]) {
  process.env.SWITCHYARD_SECRET_KEY = SECRET_KEY
  try {
    return runCli(
      [
        'migrate',
        '--from',
        `sqlite:${dataDir}`,
        '--to',
        pg.url,
        '--config',
        join(dataDir, 'test-config.yaml'),
        ...extra,
      ],
      120_000,
    )
  } finally {
    delete process.env.SWITCHYARD_SECRET_KEY
  }
}

beforeAll(async () => {
  pg = await startPostgres()
  db = await openPgPool(pg.url)
  upstream = await startChatUpstream()
  // No SWITCHYARD_SECRET_KEY: the secret store is sealed with the data folder's generated key, as on a desktop.
  source = await startServe('discovery: { enabled: false }\n', [], { fromSource: true })
  expect(
    (
      await adminOf(source, 'POST', '/providers', {
        id: 'up',
        type: 'openai-compatible',
        baseUrl: `${upstream.url}/v1`,
        apiKey: PROVIDER_KEY,
      })
    ).status,
  ).toBe(201)
  expect((await adminOf(source, 'PUT', '/routes/fast', { targets: [{ model: 'up/m' }] })).status).toBe(201)
  const saved = await adminOf(source, 'POST', '/prompts/greet/versions', {
    messages: [{ role: 'user', content: 'Say hi to {{name}}' }],
  })
  expect(saved.status).toBeLessThan(300)
  const made = await adminOf(source, 'POST', '/keys', { name: 'laptop' })
  expect(made.status).toBe(201)
  virtualKey = ((await made.json()) as { key: string }).key
  const openai = new OpenAI({ baseURL: `${source.baseUrl}/v1`, apiKey: virtualKey, maxRetries: 0 })
  for (let i = 0; i < CALLS; i++) {
    await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: `quince number ${i}` }] })
  }
  // Stopped as Ctrl+C would (its rows flushed, its lock released); its data folder stays for the copy.
  await source.kill('SIGTERM')
}, 180_000)

afterAll(async () => {
  await target?.stop()
  await source?.stop()
  await upstream?.stop()
  await db?.close()
  await pg?.stop()
})

it('copies config, keys and the log; a gateway on that Postgres serves the old key and shows the same calls', async () => {
  const dataDir = source!.dataDir
  // A team account with an authenticator: its TOTP secret is sealed with the folder's secret store's key, which
  // the gateways on Postgres do not have: migrate must reseal it under SWITCHYARD_SECRET_KEY.
  const sqlite = openDatabase(dataDir)
  const now = Date.now()
  sqlite
    .prepare(
      `INSERT INTO team_accounts (id, email, name, role, workspaces, source, totp_secret, created_at, updated_at)
       VALUES ('acc-1', 'ada@example.com', 'Ada', 'member', '[]', 'local', ?, ?, ?)`,
    )
    .run(totpCipher(() => sourceSecrets(dataDir, {})).seal(TOTP), now, now)
  closeDatabase(sqlite)

  const run = await migrate(dataDir)
  expect(run.code, run.stderr).toBe(0)
  expect(run.stdout).toMatch(/config: stored as version \d+/)
  expect(run.stdout).toContain(`request_logs: ${CALLS} rows`)
  expect(run.stdout).toContain('cache_entries: skipped')

  // A second run would double the log: refused, naming what is there.
  const again = await migrate(dataDir)
  expect(again.code).toBe(1)
  expect(again.stderr).toMatch(/the target already holds data \(switchyard_config, request_logs.*--force/)
  // --force replaces: the same counts, not twice as many.
  const forced = await migrate(dataDir, '--force')
  expect(forced.code, forced.stderr).toBe(0)
  expect(forced.stdout).toContain(`request_logs: ${CALLS} rows`)
  expect(Number((await db.query<{ n: number }>('SELECT count(*) AS n FROM request_logs'))[0].n)).toBe(CALLS)
  const [account] = await db.query<{ totp_secret: string }>("SELECT totp_secret FROM team_accounts WHERE id = 'acc-1'")
  expect(passphraseTotpCipher(SECRET_KEY).open(account.totp_secret)).toBe(TOTP)

  // Nothing in Postgres holds a credential in plain text.
  const stored = await everyRow(db)
  expect(stored).not.toContain(PROVIDER_KEY)
  expect(stored).not.toContain(virtualKey)
  expect(stored).not.toContain(TOTP)

  // A gateway with a fresh data folder on that Postgres takes the copied config at start.
  target = await startServe(`database: ${pg.url}\ndiscovery: { enabled: false }\n`, [], {
    env: { SWITCHYARD_SECRET_KEY: SECRET_KEY },
    adminToken: source!.adminToken,
    fromSource: true,
  })
  upstream.requests.length = 0
  const openai = new OpenAI({ baseURL: `${target.baseUrl}/v1`, apiKey: virtualKey, maxRetries: 0 })
  const answer = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'after' }] })
  expect(answer.choices[0].message.content).toBeTruthy()
  expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
  const refused = new OpenAI({ baseURL: `${target.baseUrl}/v1`, apiKey: 'sk-not-a-key', maxRetries: 0 })
  await expect(refused.chat.completions.create({ model: 'fast', messages: [] })).rejects.toMatchObject({ status: 401 })

  // The copied calls and the new one, in the list, in search (bodies indexed), and in the stats.
  await expect
    .poll(async () => ((await (await adminOf(target!, 'GET', '/logs?limit=50')).json()) as { total: number }).total, {
      timeout: 10_000,
    })
    .toBe(CALLS + 1)
  const found = (await (await adminOf(target, 'GET', '/logs?limit=50&q=quince')).json()) as { total: number }
  expect(found.total).toBe(CALLS)
  const page = (await (await adminOf(target, 'GET', '/logs?limit=50')).json()) as {
    items: { keyName: string | null; model: string | null }[]
  }
  expect(page.items.filter((i) => i.keyName === 'laptop')).toHaveLength(CALLS + 1)
  const hours = Number(
    (await db.query<{ n: number }>("SELECT coalesce(sum(requests), 0) AS n FROM log_rollup_hours WHERE dim = 'all'"))[0]
      .n,
  )
  expect(hours).toBe(CALLS + 1)

  // The audit trail the data folder kept is the shared one now: the route made there is listed here.
  const audit = (await (await adminOf(target, 'GET', '/audit?action=route.create')).json()) as {
    items: { action: string; target: string }[]
  }
  expect(audit.items).toEqual([expect.objectContaining({ action: 'route.create', target: 'fast' })])
  // So is its prompt library.
  const versions = (await (await adminOf(target, 'GET', '/prompts/greet/versions')).json()) as {
    items: { version: number; variables: string[] }[]
  }
  expect(versions.items).toEqual([expect.objectContaining({ version: 1, variables: ['name'] })])
}, 240_000)

it('refuses without SWITCHYARD_SECRET_KEY, and a --from that is not sqlite:', async () => {
  const noKey = await runCli(['migrate', '--from', `sqlite:${source!.dataDir}`, '--to', pg.url])
  expect(noKey.code).toBe(1)
  expect(noKey.stderr).toContain('SWITCHYARD_SECRET_KEY is not set')
  const wrong = await runCli(['migrate', '--from', source!.dataDir, '--to', pg.url])
  expect(wrong.code).toBe(1)
  expect(wrong.stderr).toContain('--from must be sqlite:PATH')
  const missing = await runCli(['migrate', '--from', `sqlite:${source!.dataDir}-typo`, '--to', pg.url])
  expect(missing.code).toBe(1)
  expect(missing.stderr).toContain('no Switchyard data folder at')
  expect(existsSync(`${source!.dataDir}-typo`)).toBe(false)
  expect(`${noKey.stderr}${wrong.stderr}${missing.stderr}`).not.toContain(decodeURIComponent(new URL(pg.url).password))
  const help = await runCli(['migrate', '--help'])
  expect(help.code).toBe(0)
  expect(help.stdout).toMatch(/^Usage: switchyard migrate --from sqlite:PATH --to postgres:/)
})
