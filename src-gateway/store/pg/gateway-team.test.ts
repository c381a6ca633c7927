import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_ENV } from '../../../test/helpers/gateway.js'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { CHAT_COMPLETION, type RunningMock, sendJson, startScriptedUpstream } from '../../../test/helpers/upstreams.js'
import { parseConfig } from '../../config/load.js'
import { buildGateway } from '../../server.js'
import { openPgPool, type PgPool } from './pool.js'

// Team mode with `database` end to end: two gateways, each with its own data folder, on one Postgres. Whichever
// instance a person signs in on, the other knows them; a revoke, a disabled account or a removed service account on
// one is refused on the other within a second; the first owner is made once; a CI service account's token made on
// one works on the other; an access request made on one is decided on the other. Neither SQLite holds any of it.

const SECRET_KEY = randomBytes(32).toString('base64url')
const CSRF = { 'x-switchyard-csrf': '1' }
const OWNER = { email: 'olga@example.com', name: 'Olga', password: 'correct horse battery' }
const OTHER_EMAIL = 'other@example.com'
/** The owner's email: whichever of the two racing setups won (the first test). */
let ownerEmail = OWNER.email
const DEV = { email: 'dev@example.com', name: 'Dev', password: 'another long password' }

let server: PostgresServer
let db: PgPool
let upstream: RunningMock
const dirs: string[] = []
let a: Gateway
let b: Gateway

interface Gateway {
  app: FastifyInstance
  url: string
  dir: string
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>
}

async function start(): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pgteam-'))
  dirs.push(dir)
  const yaml = `discovery: { enabled: false }
auth: { mode: team }
database: ${server.url}
providers:
  mock: { type: openai-compatible, baseUrl: "${upstream.url}/v1", models: [m, n] }
keys:
  - { name: team-key, key: "\${env:SY_TEAM_KEY}", models: [mock/m] }
`
  const env = { ...ADMIN_ENV, SWITCHYARD_SECRET_KEY: SECRET_KEY, SY_TEAM_KEY: 'sk-sy-team-key-0123456789abcdef' }
  const app = buildGateway(parseConfig(yaml, 'yaml', env), {
    webRoot: false,
    dataDir: dir,
    configPath: join(dir, 'config.yaml'),
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const g: Gateway = {
    app,
    url,
    dir,
    call: (path, init = {}) =>
      fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
  }
  started.push(g)
  return g
}

const cookieOf = (res: Response): string => {
  const set = res.headers.get('set-cookie')
  if (!set) throw new Error(`no cookie (status ${res.status})`)
  return set.split(';')[0]
}

/** How long until `probe` holds, failing past `ms`. */
async function within(ms: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await probe()) return performance.now() - started
    if (performance.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const me = (g: Gateway, cookie: string) => g.call('/admin/v1/me', { headers: { cookie } })

beforeAll(async () => {
  server = await startPostgres()
  upstream = await startScriptedUpstream({
    '/v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_COMPLETION),
  })
  a = await start()
  b = await start()
  db = await openPgPool(server.url)
}, 90_000)
const started: Gateway[] = []
afterAll(async () => {
  await Promise.all(started.map((g) => g.app.close()))
  await db?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  await upstream?.stop()
  await server?.stop()
})

it('two setup links redeemed at once on two instances make one owner', async () => {
  const [linkA, linkB] = [await a.app.team.setupToken(), await b.app.team.setupToken()]
  expect(linkA && linkB).toBeTruthy()
  const answers = await Promise.all([
    a.call('/auth/setup', { body: { token: linkA, ...OWNER } }),
    b.call('/auth/setup', { body: { token: linkB, ...OWNER, email: OTHER_EMAIL } }),
  ])
  expect(answers.map((r) => r.status).sort()).toEqual([204, 401])
  // Either may win the race; the tests below sign in as whoever did.
  ownerEmail = answers[0].status === 204 ? OWNER.email : OTHER_EMAIL
  const [{ n }] = await db.query<{ n: number }>("SELECT count(*) AS n FROM team_accounts WHERE role = 'owner'")
  expect(n).toBe(1)
  // Neither instance offers a setup link any more.
  await within(1000, 'B sees the owner', async () => (await b.app.team.setupToken()) === undefined)
  expect(await a.app.team.setupToken()).toBeUndefined()
})

it('signed in on A is signed in on B; signed out, revoked or disabled on one is refused on the other within a second', async () => {
  const owner = cookieOf(await a.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } }))
  // At once, before A's notice can have reached B.
  const onB = await me(b, owner)
  expect(onB.status).toBe(200)
  expect(await onB.json()).toMatchObject({ email: ownerEmail, role: 'owner' })

  const created = await b.call('/admin/v1/team/members', {
    body: { ...DEV, role: 'developer', workspaces: ['default'] },
    headers: { cookie: owner, ...CSRF },
  })
  expect(created.status).toBe(201)
  const dev = (await created.json()) as { id: string }
  // Made on B, signed in on A with that password, used on B.
  const devLogin = await within(1000, 'A knows the member', async () => {
    const r = await a.call('/auth/login', { body: { email: DEV.email, password: DEV.password } })
    return r.status === 204
  })
  expect(devLogin).toBeLessThan(1000)
  const devCookie = cookieOf(await a.call('/auth/login', { body: { email: DEV.email, password: DEV.password } }))
  expect((await me(b, devCookie)).status).toBe(200)
  expect((await me(a, devCookie)).status).toBe(200)

  // The owner signs the member out everywhere from A: B refuses the cookie within a second.
  const out = await a.call(`/admin/v1/team/members/${dev.id}/sign-out`, {
    method: 'POST',
    headers: { cookie: owner, ...CSRF },
  })
  expect(out.status).toBe(204)
  expect(
    await within(1000, 'B refuses the revoked session', async () => (await me(b, devCookie)).status === 401),
  ).toBeLessThan(1000)

  // Disabled on B: a session opened on A is refused on A within a second.
  const again = cookieOf(await a.call('/auth/login', { body: { email: DEV.email, password: DEV.password } }))
  expect((await me(b, again)).status).toBe(200)
  const disabled = await b.call(`/admin/v1/team/members/${dev.id}`, {
    method: 'PATCH',
    body: { disabled: true },
    headers: { cookie: owner, ...CSRF },
  })
  expect(disabled.status).toBe(200)
  expect(
    await within(1000, 'A refuses the disabled account', async () => (await me(a, again)).status === 401),
  ).toBeLessThan(1000)
  expect((await a.call('/auth/login', { body: { email: DEV.email, password: DEV.password } })).status).toBe(401)

  // Signing out on B ends the owner's session on A too.
  expect((await b.call('/auth/logout', { method: 'POST', headers: { cookie: owner, ...CSRF } })).status).toBe(204)
  expect(
    await within(1000, 'A refuses the signed-out session', async () => (await me(a, owner)).status === 401),
  ).toBeLessThan(1000)

  // The last owner stays, whichever instance is asked.
  const owner2 = cookieOf(await b.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } }))
  const ownerId = ((await (await me(a, owner2)).json()) as { id: string }).id
  const demote = await a.call(`/admin/v1/team/members/${ownerId}`, {
    method: 'PATCH',
    body: { role: 'admin' },
    headers: { cookie: owner2, ...CSRF },
  })
  expect(demote.status).toBe(409)
  expect(((await demote.json()) as { error: { code: string } }).error.code).toBe('last_owner')
})

it("a CI service account's token made on A works on B; removed on B, refused on A within a second", async () => {
  const owner = cookieOf(await a.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } }))
  const made = await a.call('/admin/v1/team/service-accounts', {
    body: { name: 'ci', role: 'developer', workspaces: ['default'] },
    headers: { cookie: owner, ...CSRF },
  })
  expect(made.status).toBe(201)
  const { id, token } = (await made.json()) as { id: string; token: string }
  const ci = { authorization: `Bearer ${token}` }
  // On B at once: the token makes a client key there, and that key calls a model through A.
  const key = await b.call('/admin/v1/keys', { body: { name: 'ci-key', models: ['mock/m'] }, headers: ci })
  expect(key.status).toBe(201)
  const { key: secret } = (await key.json()) as { key: string }
  await within(1000, 'A has the key', async () => {
    const r = await a.call('/v1/chat/completions', {
      body: { model: 'mock/m', messages: [{ role: 'user', content: 'hi' }] },
      headers: { authorization: `Bearer ${secret}` },
    })
    return r.status === 200
  })
  // The token itself is for /admin only, on every instance (as on one: CI calls models with client keys).
  const asModelCall = await b.call('/v1/chat/completions', {
    body: { model: 'mock/m', messages: [{ role: 'user', content: 'hi' }] },
    headers: ci,
  })
  expect(asModelCall.status).toBe(401)

  const removed = await b.call(`/admin/v1/team/service-accounts/${id}`, {
    method: 'DELETE',
    headers: { cookie: owner, ...CSRF },
  })
  expect(removed.status).toBe(204)
  expect(
    await within(
      1000,
      'A refuses the removed token',
      async () => (await a.call('/admin/v1/keys', { headers: ci })).status === 401,
    ),
  ).toBeLessThan(1000)
})

it('an access request made on A is listed and approved on B, and the approval extends the key on A', async () => {
  const owner = cookieOf(await b.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } }))
  const made = await a.call('/admin/v1/team/members', {
    body: {
      email: 'req@example.com',
      name: 'Req',
      password: 'requester password',
      role: 'developer',
      workspaces: ['default'],
    },
    headers: { cookie: owner, ...CSRF },
  })
  expect(made.status).toBe(201)
  const member = cookieOf(
    await b.call('/auth/login', { body: { email: 'req@example.com', password: 'requester password' } }),
  )
  const asked = await a.call('/admin/v1/portal/requests', {
    body: { key: 'team-key', model: 'mock/n', reason: 'evals' },
    headers: { cookie: member, ...CSRF },
  })
  expect(asked.status).toBe(201)
  const { id } = (await asked.json()) as { id: string }
  const listed = (await (await b.call('/admin/v1/portal/requests', { headers: { cookie: owner } })).json()) as {
    items: { id: string; status: string }[]
  }
  expect(listed.items.map((r) => r.id)).toContain(id)
  const [approve, deny] = await Promise.all([
    b.call(`/admin/v1/portal/requests/${id}/approve`, { method: 'POST', headers: { cookie: owner, ...CSRF } }),
    a.call(`/admin/v1/portal/requests/${id}/deny`, { method: 'POST', headers: { cookie: owner, ...CSRF } }),
  ])
  // Decided once: one of the two admins' answers, whichever came first; the other is told it is decided.
  expect([approve.status, deny.status].sort()).toEqual([200, 409])
  const mine = (await (await a.call('/admin/v1/portal/requests', { headers: { cookie: member } })).json()) as {
    items: { id: string; status: string }[]
  }
  const status = mine.items.find((r) => r.id === id)?.status
  expect(status).toBe(approve.status === 200 ? 'approved' : 'denied')
  if (status === 'approved') {
    await within(1000, 'A extends the key', async () => {
      const keys = (await (await a.call('/admin/v1/keys', { headers: { cookie: owner } })).json()) as {
        items: { name: string; models?: string[] }[]
      }
      return keys.items.find((k) => k.name === 'team-key')?.models?.includes('mock/n') === true
    })
  }
})

it("neither instance's SQLite holds a team account, session or access request", async () => {
  for (const g of [a, b]) {
    for (const table of ['team_accounts', 'team_sessions', 'team_service_accounts', 'access_requests']) {
      const local = g.app.db?.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }
      expect(local.n).toBe(0)
    }
  }
  const [{ n }] = await db.query<{ n: number }>('SELECT count(*) AS n FROM team_accounts')
  expect(n).toBeGreaterThanOrEqual(3)
})

it('while Postgres is down, signed-in people keep working from memory; sign-ins and the portal answer 503, then recover', async () => {
  const owner = cookieOf(await a.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } }))
  let c: Gateway | undefined
  await server.pause()
  try {
    await within(5000, 'A sees Postgres down', async () => {
      const health = (await (await a.call('/health')).json()) as { backends?: { postgres?: string } }
      return health.backends?.postgres === 'unavailable'
    })
    expect((await me(a, owner)).status).toBe(200)
    expect((await me(b, owner)).status).toBe(200)
    const login = await a.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } })
    expect(login.status).toBe(503)
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable')
    const requests = await a.call('/admin/v1/portal/requests', { headers: { cookie: owner } })
    expect(requests.status).toBe(503)
    // An instance started now starts (no setup link: it cannot tell whether an owner exists) ...
    c = await start()
    expect(await c.app.team.setupToken()).toBeUndefined()
    expect((await me(c, owner)).status).toBe(401)
  } finally {
    await server.resume()
  }
  await within(10_000, 'sign-ins work again', async () => {
    const r = await a.call('/auth/login', { body: { email: ownerEmail, password: OWNER.password } })
    return r.status === 204
  })
  // ... and knows the team once Postgres answers.
  await within(
    10_000,
    'the late instance knows the session',
    async () => (await me(c as Gateway, owner)).status === 200,
  )
})
