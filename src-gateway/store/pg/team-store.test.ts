import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { type AccessRequestRow, type AccessStore, sqliteAccessStore } from '../../portal/access-store.js'
import { SqliteTeamSessions, type TeamSessions } from '../../team/team-sessions.js'
import {
  EmailTakenError,
  LastOwnerError,
  type NewAccount,
  OwnerExistsError,
  SqliteTeamStore,
  type TeamStore,
} from '../../team/team-store.js'
import { passphraseTotpCipher } from '../../team/totp-cipher.js'
import { createBodyCipher } from '../body-cipher.js'
import { openDatabase } from '../db.js'
import { pgAccessStore } from './access-store.js'
import { migratePg } from './migrations.js'
import { type PgNotifier, pgNotifier } from './notify.js'
import { openPgPool, type PgPool } from './pool.js'
import { PgTeamCache, PgTeamSessions, PgTeamStore } from './team-store.js'

// Team accounts, sessions, service accounts, setup tokens and access requests: one test body on SQLite and on
// Postgres (S6), then what only several instances on one Postgres can show: a change on one reaches the other's
// in-memory copy within a second (S4), and what must be unique stays unique when two instances race (S5).

const PASSPHRASE = 'team-store test passphrase'
const HOUR = 3_600_000
let now = Date.UTC(2026, 11, 5, 9)
const clock = () => now
const hours = () => 24

interface Team {
  store: TeamStore
  sessions: TeamSessions
  access: AccessStore
}

/** One instance's team stores on the shared Postgres: its own copy and its own listening connection. */
interface PgInstance extends Team {
  cache: PgTeamCache
  notifier: PgNotifier
}

function pgInstance(pool: PgPool): PgInstance {
  const source = { pool: () => pool, migrated: () => true }
  const notifier = pgNotifier(source)
  const cache = new PgTeamCache(source, () => notifier)
  const totp = passphraseTotpCipher(PASSPHRASE)
  return {
    cache,
    notifier,
    store: new PgTeamStore(cache, totp, clock),
    sessions: new PgTeamSessions(cache, hours, clock),
    access: pgAccessStore(source),
  }
}

/** Empties the team tables. DELETE, not TRUNCATE: the copies' re-reads hold their tables' share locks meanwhile. */
const EMPTY_TABLES = ['team_sessions', 'team_accounts', 'team_service_accounts', 'team_setup_tokens', 'access_requests']
  .map((t) => `DELETE FROM ${t};`)
  .join(' ')

const member = (email: string, over: Partial<NewAccount> = {}): NewAccount => ({
  email,
  name: email.split('@')[0],
  role: 'developer',
  workspaces: ['default'],
  password: 'a password of some length',
  source: 'local',
  ...over,
})

const request = (id: string, requester = 'person:acc_1'): AccessRequestRow => ({
  id,
  model: 'mock/m',
  key_name: 'ci',
  workspace: 'default',
  reason: 'evals',
  status: 'pending',
  requester,
  requester_name: 'Dev',
  decided_by: null,
  decided_by_name: null,
  created_at: now,
  decided_at: null,
})

/** Waits until `check` holds (the other instance's copy caught up), failing after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 1000): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
  return Date.now() - started
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`team stores [${kind}]`, () => {
    let team: Team
    let server: PostgresServer | undefined
    let pool: PgPool | undefined
    let instance: PgInstance | undefined
    let reset: () => Promise<void>

    beforeAll(async () => {
      if (kind === 'sqlite') {
        let db = openDatabase(':memory:')
        const make = () => {
          const totp = passphraseTotpCipher(PASSPHRASE)
          team = {
            store: new SqliteTeamStore(db, totp, clock),
            sessions: new SqliteTeamSessions(db, hours, clock),
            access: sqliteAccessStore(db),
          }
        }
        make()
        reset = async () => {
          db.close()
          db = openDatabase(':memory:')
          make()
        }
        return
      }
      server = await startPostgres()
      pool = await openPgPool(server.url)
      await migratePg(pool)
      instance = pgInstance(pool)
      await instance.cache.start()
      team = instance
      reset = async () => {
        await pool?.query(EMPTY_TABLES)
        await instance?.cache.refresh()
      }
    }, 60_000)
    afterAll(async () => {
      instance?.cache.close()
      await instance?.notifier.close()
      await pool?.close()
      await server?.stop()
    })
    beforeEach(async () => {
      now = Date.UTC(2026, 11, 5, 9)
      await reset()
    })

    it('accounts: one per email whatever its case, listed in creation order, patched and removed', async () => {
      const a = await team.store.createAccount(member('Ada@Example.com'))
      now += 1
      const b = await team.store.createAccount(member('bob@example.com', { role: 'viewer', workspaces: [] }))
      await expect(team.store.createAccount(member('ada@example.com'))).rejects.toBeInstanceOf(EmailTakenError)
      expect(team.store.findByEmail('ada@example.com')?.id).toBe(a.id)
      expect((await team.store.lookUpEmail('ada@example.com'))?.id).toBe(a.id)
      expect(team.store.listAccounts().map((x) => x.email)).toEqual(['Ada@Example.com', 'bob@example.com'])
      expect(a.passwordHash).toMatch(/^\$argon2id\$/)
      const patched = await team.store.updateAccount(b.id, { role: 'admin', workspaces: ['w1'], disabled: true })
      expect(patched).toMatchObject({ role: 'admin', workspaces: ['w1'], disabled: true, name: 'bob' })
      expect(await team.store.removeAccount(b.id)).toBe(true)
      expect(await team.store.removeAccount(b.id)).toBe(false)
      expect(team.store.getAccount(b.id)).toBeUndefined()
    })

    it('owners: the first one once, the last one stays (demoted, disabled or removed)', async () => {
      const o = await team.store.createAccount(member('o@example.com', { role: 'owner' }), { firstOwner: true })
      expect(team.store.hasOwner()).toBe(true)
      await expect(
        team.store.createAccount(member('p@example.com', { role: 'owner' }), { firstOwner: true }),
      ).rejects.toBeInstanceOf(OwnerExistsError)
      await expect(team.store.updateAccount(o.id, { role: 'admin' }, { keepAnOwner: true })).rejects.toBeInstanceOf(
        LastOwnerError,
      )
      await expect(team.store.updateAccount(o.id, { disabled: true }, { keepAnOwner: true })).rejects.toBeInstanceOf(
        LastOwnerError,
      )
      await expect(team.store.removeAccount(o.id, { keepAnOwner: true })).rejects.toBeInstanceOf(LastOwnerError)
      expect(team.store.getAccount(o.id)).toMatchObject({ role: 'owner', disabled: false })
      const second = await team.store.createAccount(member('q@example.com', { role: 'owner' }))
      expect((await team.store.updateAccount(o.id, { role: 'admin' }, { keepAnOwner: true }))?.role).toBe('admin')
      expect(await team.store.removeAccount(o.id, { keepAnOwner: true })).toBe(true)
      expect(team.store.listAccounts().map((a) => a.id)).toEqual([second.id])
    })

    it('sessions: sign in, last seen, revoked one by one or per account, disabled, expired, idle', async () => {
      const a = await team.store.createAccount(member('a@example.com'))
      const s1 = await team.sessions.open(a.id, 'password')
      const s2 = await team.sessions.open(a.id, 'sso')
      expect(s1.expiresAt).toBe(now + 24 * HOUR)
      expect(await team.sessions.principalOf(s1.id)).toMatchObject({ kind: 'person', id: a.id, role: 'developer' })
      expect(await team.sessions.principalOf('x'.repeat(43))).toBeUndefined()
      expect(await team.sessions.principalOf('x'.repeat(5000))).toBeUndefined()
      expect(team.store.getAccount(a.id)?.lastSeenAt).toBe(now)
      await team.sessions.revokeAccount(a.id, s2.id)
      expect(await team.sessions.principalOf(s1.id)).toBeUndefined()
      expect(await team.sessions.principalOf(s2.id)).toBeDefined()
      await team.sessions.revoke(s2.id)
      expect(await team.sessions.principalOf(s2.id)).toBeUndefined()

      const s3 = await team.sessions.open(a.id, 'password')
      await team.store.updateAccount(a.id, { disabled: true })
      expect(await team.sessions.principalOf(s3.id)).toBeUndefined()
      await team.store.updateAccount(a.id, { disabled: false })
      expect(await team.sessions.principalOf(s3.id)).toBeDefined()
      now += 13 * HOUR
      expect(await team.sessions.principalOf(s3.id)).toBeUndefined()
      const s4 = await team.sessions.open(a.id, 'password')
      for (let i = 0; i < 3; i++) {
        now += 9 * HOUR
        if (i < 2) expect(await team.sessions.principalOf(s4.id)).toBeDefined()
      }
      expect(await team.sessions.principalOf(s4.id)).toBeUndefined()
      await team.store.removeAccount(a.id)
      expect(await team.sessions.principalOf(s4.id)).toBeUndefined()
    })

    it('service accounts: the token signs in until the account is removed; other tokens never', async () => {
      const { account, token } = await team.store.createServiceAccount({
        name: 'ci',
        role: 'developer',
        workspaces: [],
      })
      expect(token).toMatch(/^sy_svc_/)
      expect(await team.store.serviceByToken(token)).toMatchObject({ id: account.id, name: 'ci' })
      expect(team.store.getServiceAccount(account.id)?.lastUsedAt).not.toBeNull()
      expect(await team.store.serviceByToken(`${token}x`)).toBeUndefined()
      expect(await team.store.serviceByToken('sk-not-a-service-token')).toBeUndefined()
      expect(team.store.listServiceAccounts().map((s) => s.name)).toEqual(['ci'])
      expect(await team.store.removeServiceAccount(account.id)).toBe(true)
      expect(await team.store.serviceByToken(token)).toBeUndefined()
    })

    it('setup tokens: redeemed once while live; unknown, long or expired ones never', async () => {
      const t1 = await team.store.createSetupToken()
      expect(await team.store.redeemSetupToken(t1)).toBe(true)
      expect(await team.store.redeemSetupToken(t1)).toBe(false)
      expect(await team.store.redeemSetupToken('y'.repeat(500))).toBe(false)
      const t2 = await team.store.createSetupToken()
      now += 25 * HOUR
      expect(await team.store.redeemSetupToken(t2)).toBe(false)
    })

    it('single sign-on: made on first login, updated on the next, never taking a local account over', async () => {
      const login = {
        issuer: 'https://idp',
        subject: 's1',
        email: 'sso@example.com',
        name: 'S',
        role: 'viewer' as const,
      }
      const first = await team.store.ssoAccount({ ...login, workspaces: ['default'] })
      const again = await team.store.ssoAccount({ ...login, role: 'developer', workspaces: ['w2'] })
      expect(again).toMatchObject({ id: first.id, role: 'developer', workspaces: ['w2'], source: 'sso' })
      await team.store.createAccount(member('local@example.com'))
      await expect(
        team.store.ssoAccount({ ...login, subject: 's2', email: 'local@example.com', workspaces: [] }),
      ).rejects.toBeInstanceOf(EmailTakenError)
      expect(team.store.listAccounts()).toHaveLength(2)
    })

    it('workspaces the config dropped leave every list; TOTP secrets round-trip and are kept sealed', async () => {
      const a = await team.store.createAccount(member('a@example.com', { workspaces: ['default', 'gone'] }))
      await team.store.createServiceAccount({ name: 'ci', role: 'viewer', workspaces: ['gone'] })
      expect(await team.store.forgetWorkspaces(new Set(['default']))).toBe(2)
      expect(await team.store.forgetWorkspaces(new Set(['default']))).toBe(0)
      expect(team.store.getAccount(a.id)?.workspaces).toEqual(['default'])
      expect(team.store.listServiceAccounts()[0].workspaces).toEqual([])

      await team.store.setTotp(a.id, { pending: 'JBSWY3DPEHPK3PXP' })
      expect(team.store.getAccount(a.id)).toMatchObject({ totpPending: 'JBSWY3DPEHPK3PXP', totpSecret: null })
      await team.store.setTotp(a.id, { secret: 'JBSWY3DPEHPK3PXP', pending: null, lastCounter: 7 })
      expect(team.store.getAccount(a.id)).toMatchObject({ totpSecret: 'JBSWY3DPEHPK3PXP', totpLastCounter: 7 })
      expect(await team.store.sealPlainTotp()).toBe(0)
    })

    it('access requests: listed newest first, per requester; decided once; reopened', async () => {
      await team.access.insert(request('ar_1'))
      now += 1
      await team.access.insert(request('ar_2', 'person:acc_2'))
      expect((await team.access.list(10)).map((r) => r.id)).toEqual(['ar_2', 'ar_1'])
      expect((await team.access.list(10, 'person:acc_2')).map((r) => r.id)).toEqual(['ar_2'])
      expect(await team.access.pendingOf('person:acc_1')).toBe(1)
      const decision = { status: 'approved' as const, decidedBy: 'person:o', decidedByName: 'O', at: now }
      expect(await team.access.decide('ar_1', decision)).toBe(true)
      expect(await team.access.decide('ar_1', { ...decision, status: 'denied' })).toBe(false)
      expect(await team.access.get('ar_1')).toMatchObject({ status: 'approved', decided_by: 'person:o' })
      expect(await team.access.pendingOf('person:acc_1')).toBe(0)
      await team.access.reopen('ar_1')
      expect(await team.access.get('ar_1')).toMatchObject({ status: 'pending', decided_by: null, decided_at: null })
      expect(await team.access.get('ar_none')).toBeUndefined()
    })
  })
}

describe('two instances on one Postgres', () => {
  let server: PostgresServer
  let pool: PgPool
  let poolB: PgPool
  let a: PgInstance
  let b: PgInstance

  beforeAll(async () => {
    server = await startPostgres()
    pool = await openPgPool(server.url)
    poolB = await openPgPool(server.url)
    await migratePg(pool)
    a = pgInstance(pool)
    b = pgInstance(poolB)
    await Promise.all([a.cache.start(), b.cache.start()])
  }, 60_000)
  afterAll(async () => {
    for (const i of [a, b]) {
      i?.cache.close()
      await i?.notifier.close()
    }
    await pool?.close()
    await poolB?.close()
    await server?.stop()
  })
  beforeEach(async () => {
    now = Date.UTC(2026, 11, 5, 9)
    await pool.query(EMPTY_TABLES)
    await Promise.all([a.cache.refresh(), b.cache.refresh()])
  })

  it('a sign-in on A counts on B at once; a revoke or a disabled account on A is refused on B within a second', async () => {
    const acc = await a.store.createAccount(member('dev@example.com'))
    // A sign-in on B at once finds the account A has just made, asking the database for it.
    expect((await b.store.lookUpEmail('DEV@example.com'))?.id).toBe(acc.id)
    expect(await b.store.lookUpEmail('nobody@example.com')).toBeUndefined()
    await until(() => b.store.getAccount(acc.id) !== undefined)
    const s = await a.sessions.open(acc.id, 'password')
    // Asked before A's notice can have reached B, by a page's ten parallel calls: B looks the session up once
    // instead of refusing it, and all ten are signed in.
    const page = await Promise.all(Array.from({ length: 10 }, () => b.sessions.principalOf(s.id)))
    expect(page.map((p) => p?.id)).toEqual(Array(10).fill(acc.id))
    // From then on B answers from memory, without a promise (no database round trip).
    expect(b.sessions.principalOf(s.id)).toMatchObject({ id: acc.id })

    await a.sessions.revoke(s.id)
    expect(await until(async () => (await b.sessions.principalOf(s.id)) === undefined)).toBeLessThan(1000)
    // Once looked up and found gone, B refuses that cookie from memory.
    expect(b.sessions.principalOf(s.id)).toBeUndefined()

    const s2 = await a.sessions.open(acc.id, 'password')
    expect(await b.sessions.principalOf(s2.id)).toBeDefined()
    await a.store.updateAccount(acc.id, { disabled: true })
    expect(await until(() => b.sessions.principalOf(s2.id) === undefined)).toBeLessThan(1000)
    await a.store.updateAccount(acc.id, { disabled: false, role: 'viewer' })
    await until(() => (b.sessions.principalOf(s2.id) as { role?: string } | undefined)?.role === 'viewer')
  })

  it('a service token made on A authenticates on B, from memory after its first use; removed on A, refused on B', async () => {
    const { account, token } = await a.store.createServiceAccount({ name: 'ci', role: 'developer', workspaces: [] })
    expect(await b.store.serviceByToken(token)).toMatchObject({ id: account.id })
    expect(b.store.serviceByToken(token)).toMatchObject({ id: account.id })
    await a.store.removeServiceAccount(account.id)
    expect(await until(async () => (await b.store.serviceByToken(token)) === undefined)).toBeLessThan(1000)
    expect(b.store.serviceByToken(token)).toBeUndefined()
  })

  it('made-up session ids and tokens cost B at most a few lookups at once, and are refused', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `${'z'.repeat(40)}${String(i).padStart(3, '0')}`)
    const answers = await Promise.all(ids.map((id) => b.sessions.principalOf(id)))
    expect(answers.every((x) => x === undefined)).toBe(true)
    const tokens = await Promise.all(ids.map((id) => b.store.serviceByToken(`sy_svc_${id}`)))
    expect(tokens.every((x) => x === undefined)).toBe(true)
  })

  it('what must be unique stays unique when both instances race (S5)', async () => {
    // One email, five tries on each instance at once: one account.
    const tries = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).store.createAccount(member('same@example.com'))),
    )
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1)
    expect(
      tries
        .filter((t) => t.status === 'rejected')
        .every((t) => (t as PromiseRejectedResult).reason instanceof EmailTakenError),
    ).toBe(true)

    // One setup link redeemed through both at once: once.
    const link = await a.store.createSetupToken()
    const redeemed = await Promise.all([a.store.redeemSetupToken(link), b.store.redeemSetupToken(link)])
    expect(redeemed.filter(Boolean)).toHaveLength(1)

    // Two links, each redeemed on its instance at once: one first owner.
    const firsts = await Promise.allSettled([
      a.store.createAccount(member('o1@example.com', { role: 'owner' }), { firstOwner: true }),
      b.store.createAccount(member('o2@example.com', { role: 'owner' }), { firstOwner: true }),
    ])
    expect(firsts.filter((t) => t.status === 'fulfilled')).toHaveLength(1)

    // Two owners, each demoted on a different instance at once: one demotion goes through, an owner stays.
    const o2 = await a.store.createAccount(member('o3@example.com', { role: 'owner' }))
    await until(() => b.store.getAccount(o2.id) !== undefined)
    const o1 = a.store.listAccounts().find((x) => x.role === 'owner' && x.id !== o2.id)
    const demotions = await Promise.allSettled([
      a.store.updateAccount(o1!.id, { role: 'admin' }, { keepAnOwner: true }),
      b.store.updateAccount(o2.id, { role: 'admin' }, { keepAnOwner: true }),
    ])
    expect(demotions.filter((t) => t.status === 'fulfilled')).toHaveLength(1)
    expect((demotions.find((t) => t.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      LastOwnerError,
    )
    const [{ n }] = await pool.query<{ n: number }>("SELECT count(*) AS n FROM team_accounts WHERE role = 'owner'")
    expect(n).toBe(1)

    // One access request decided on both at once: one decision.
    await a.access.insert(request('ar_race'))
    const decision = { decidedBy: 'person:x', decidedByName: 'X', at: now }
    const decided = await Promise.all([
      a.access.decide('ar_race', { ...decision, status: 'approved' }),
      b.access.decide('ar_race', { ...decision, status: 'denied' }),
    ])
    expect(decided.filter(Boolean)).toHaveLength(1)

    // One person's first single sign-on through both at once: one account.
    const login = { issuer: 'https://idp', subject: 'race', email: 'r@example.com', name: 'R', role: 'viewer' as const }
    const sso = await Promise.all([
      a.store.ssoAccount({ ...login, workspaces: [] }),
      b.store.ssoAccount({ ...login, workspaces: [] }),
    ])
    expect(sso[0].id).toBe(sso[1].id)
  })

  it("TOTP secrets a data folder's secret-store key sealed (copied by switchyard migrate) are sealed again under the shared key at start", async () => {
    const folderKey = createBodyCipher(randomBytes(32))
    const acc = await a.store.createAccount(member('migrated@example.com'))
    await pool.query('UPDATE team_accounts SET totp_secret = $1, totp_pending = $2 WHERE id = $3', [
      folderKey.seal('MIGRATEDSECRET'),
      'PLAINPENDING',
      acc.id,
    ])
    const starting = new PgTeamStore(a.cache, passphraseTotpCipher(PASSPHRASE), clock, folderKey)
    expect(await starting.sealPlainTotp()).toBe(1)
    expect(await starting.sealPlainTotp()).toBe(0)
    await until(() => b.store.getAccount(acc.id)?.totpSecret === 'MIGRATEDSECRET')
    expect(b.store.getAccount(acc.id)?.totpPending).toBe('PLAINPENDING')
    const [row] = await pool.query<{ totp_pending: string }>('SELECT totp_pending FROM team_accounts WHERE id = $1', [
      acc.id,
    ])
    expect(row.totp_pending).not.toContain('PLAINPENDING')
  })

  it('the database holds no password, TOTP secret, session id or token in plain text (S7)', async () => {
    const password = 'planted password 0123456789'
    const totp = 'PLANTEDTOTPSECRETXYZ'
    const acc = await a.store.createAccount(member('p@example.com', { password }))
    await a.store.setTotp(acc.id, { secret: totp, pending: totp })
    const session = await a.sessions.open(acc.id, 'password')
    const { token } = await a.store.createServiceAccount({ name: 'ci', role: 'viewer', workspaces: [] })
    const setup = await a.store.createSetupToken()
    const dump = (
      await pool.query<{ row: string }>(
        `SELECT t::text AS row FROM team_accounts t UNION ALL SELECT t::text FROM team_sessions t
         UNION ALL SELECT t::text FROM team_service_accounts t UNION ALL SELECT t::text FROM team_setup_tokens t`,
      )
    )
      .map((r) => r.row)
      .join('\n')
    expect(dump).toContain('p@example.com')
    for (const secret of [password, totp, session.id, token, token.slice('sy_svc_'.length), setup]) {
      expect(dump).not.toContain(secret)
    }
    // B opens the TOTP secret A sealed: the key comes from the shared passphrase, not A's secret store.
    await until(() => b.store.getAccount(acc.id)?.totpSecret === totp, 5000)
  })
})
