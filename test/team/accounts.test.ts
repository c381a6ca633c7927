import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { ROLE_PERMISSIONS } from '../../src-shared/contract/permissions.js'
import {
  ADMIN_BEARER,
  CSRF,
  cookieOf,
  login,
  OWNER,
  setUpOwner,
  startTeamGateway,
  type TeamGateway,
  tempDir,
} from './team-helpers.js'

// Team mode's accounts and sessions over HTTP (issue 21): the setup link, sign-in and sign-out, what the
// answers give away, the sign-in limits, and what the database keeps.

const started: TeamGateway[] = []
const start = async (opts?: Parameters<typeof startTeamGateway>[0]) => {
  const gw = await startTeamGateway(opts)
  started.push(gw)
  return gw
}
afterAll(async () => {
  for (const gw of started) await gw.close()
})

describe('the setup link', () => {
  it('creates the first owner once, and only while no owner exists', async () => {
    const gw = await start()
    const before = await (await gw.call('/auth/session')).json()
    expect(before).toMatchObject({ mode: 'team', authenticated: false, setupRequired: true })

    const token = (await gw.app.team.setupToken()) as string
    const bad = await gw.call('/auth/setup', { body: { token: 'nope', ...OWNER } })
    expect(bad.status).toBe(401)
    expect((await bad.json()).error.code).toBe('invalid_setup_token')

    const ok = await gw.call('/auth/setup', { body: { token, ...OWNER } })
    expect(ok.status).toBe(204)
    const cookie = cookieOf(ok)
    const session = await (await gw.call('/auth/session', { headers: { cookie } })).json()
    expect(session).toMatchObject({
      mode: 'team',
      authenticated: true,
      setupRequired: false,
      principal: { kind: 'person', name: OWNER.name, role: 'owner', workspaces: 'all' },
    })
    expect(session.permissions).toEqual([...ROLE_PERMISSIONS.owner])

    // Spent: the same token again, and no new token while an owner exists.
    const again = await gw.call('/auth/setup', { body: { token, ...OWNER, email: 'mallory@example.com' } })
    expect(again.status).toBe(401)
    expect(await gw.app.team.setupToken()).toBeUndefined()
  })

  it('is refused in solo mode, where nothing about sign-in changes', async () => {
    const gw = await start({ yaml: 'discovery: { enabled: false }\n' })
    expect(await gw.app.team.setupToken()).toBeUndefined()
    const res = await gw.call('/auth/setup', { body: { token: 'x', ...OWNER } })
    expect(res.status).toBe(409)
    expect((await res.json()).error.code).toBe('team_mode_off')
    expect(await (await gw.call('/auth/session')).json()).toEqual({ mode: 'solo', authenticated: false })
    const solo = await gw.call('/auth/login', { body: { token: ADMIN_BEARER.authorization.slice(7) } })
    expect(solo.status).toBe(204)
  })
})

describe('sign-in', () => {
  it('signs in and out, and sign-out ends the session on the server', async () => {
    const gw = await start()
    await setUpOwner(gw)
    const res = await login(gw, 'OLGA@example.com', OWNER.password)
    expect(res.status).toBe(204)
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; Path=\//)
    const cookie = cookieOf(res)
    expect((await gw.call('/admin/v1/info', { headers: { cookie } })).status).toBe(200)
    expect((await gw.call('/auth/logout', { method: 'POST', headers: { cookie } })).status).toBe(204)
    // The browser would drop the cookie; one kept by an attacker opens nothing either.
    expect((await gw.call('/admin/v1/info', { headers: { cookie } })).status).toBe(401)
  })

  it('answers an unknown email and a wrong password identically', async () => {
    const gw = await start()
    await setUpOwner(gw)
    const unknown = await login(gw, 'nobody@example.com', OWNER.password)
    const wrong = await login(gw, OWNER.email, 'not the password at all')
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    expect(await unknown.json()).toEqual(await wrong.json())
  })

  it('spends the same Argon2id work on an unknown email as on a wrong password', async () => {
    const gw = await start()
    await setUpOwner(gw)
    const timed = async (email: string) => {
      const t0 = performance.now()
      expect((await login(gw, email, 'not the password at all')).status).toBe(401)
      return performance.now() - t0
    }
    // The fastest of three each: noise only ever adds time. Without the dummy hash, an unknown email answers in
    // about a millisecond, a wrong password after a hash's 20 ms or more.
    const unknown = Math.min(
      ...[await timed('a@example.com'), await timed('b@example.com'), await timed('c@example.com')],
    )
    const wrong = Math.min(...[await timed(OWNER.email), await timed(OWNER.email), await timed(OWNER.email)])
    expect(unknown).toBeGreaterThan(wrong * 0.5)
  })

  it('answers 429 too_many_attempts with Retry-After after five failures for an email, twenty for an address', async () => {
    let now = Date.now()
    const gw = await start({ clock: () => now })
    await setUpOwner(gw)
    for (let i = 0; i < 5; i++) expect((await login(gw, OWNER.email, `wrong password ${i}`)).status).toBe(401)
    // Even the right password: the guesser cannot tell when they found it.
    const limited = await login(gw, OWNER.email, OWNER.password)
    expect(limited.status).toBe(429)
    expect((await limited.json()).error.code).toBe('too_many_attempts')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800)
    now += 16 * 60 * 1000
    expect((await login(gw, OWNER.email, OWNER.password)).status).toBe(204)

    // One address spraying many accounts: 20 failures, then every email from it waits.
    for (let i = 0; i < 20; i++) expect((await login(gw, `user${i}@example.com`, 'some password')).status).toBe(401)
    expect((await login(gw, OWNER.email, OWNER.password)).status).toBe(429)
  })

  it('needs the CSRF header for changes made with the session cookie', async () => {
    const gw = await start()
    const cookie = await setUpOwner(gw)
    const body = { name: 'ci', role: 'viewer' }
    const without = await gw.call('/admin/v1/team/service-accounts', { body, headers: { cookie } })
    expect(without.status).toBe(401)
    expect((await without.json()).error.code).toBe('csrf_header_required')
    const withHeader = await gw.call('/admin/v1/team/service-accounts', { body, headers: { cookie, ...CSRF } })
    expect(withHeader.status).toBe(201)
  })
})

describe('session expiry', () => {
  it('ends a session after auth.sessionHours, used or not, and after 12 hours unused', async () => {
    let now = Date.now()
    const gw = await start({
      clock: () => now,
      yaml: 'discovery: { enabled: false }\nauth: { mode: team, sessionHours: 24 }\n',
    })
    const cookie = await setUpOwner(gw)
    const info = async (c: string) => (await gw.call('/admin/v1/info', { headers: { cookie: c } })).status
    // Used every 11 hours, so never idle: alive at 11 and 22 hours, over at 24.
    for (const _ of [1, 2]) {
      now += 11 * 3_600_000
      expect(await info(cookie)).toBe(200)
    }
    now += 2 * 3_600_000
    expect(await info(cookie)).toBe(401)

    const idle = cookieOf(await login(gw, OWNER.email, OWNER.password))
    now += 12 * 3_600_000 + 60_000
    expect(await info(idle)).toBe(401)
  })
})

describe('what the gateway keeps', () => {
  it('keeps sessions across a restart, with only hashes and digests in the database', async () => {
    const dir = tempDir()
    const first = await startTeamGateway({ dir })
    const cookie = await setUpOwner(first)
    const created = await first.call('/admin/v1/team/service-accounts', {
      body: { name: 'ci', role: 'viewer' },
      headers: ADMIN_BEARER,
    })
    const { token } = await created.json()
    await first.close()

    const second = await start({ dir })
    const session = await (await second.call('/auth/session', { headers: { cookie } })).json()
    expect(session).toMatchObject({ authenticated: true, principal: { name: OWNER.name } })
    expect((await second.call('/admin/v1/info', { headers: { cookie } })).status).toBe(200)
    await second.close()
    started.pop()

    const db = new Database(join(dir, 'switchyard.db'), { readonly: true })
    const hashes = db.prepare('SELECT password_hash FROM team_accounts').all() as { password_hash: string }[]
    expect(hashes.length).toBe(1)
    expect(hashes[0].password_hash).toMatch(/^\$argon2id\$/)
    db.close()
    const file = readFileSync(join(dir, 'switchyard.db'))
    const sessionId = cookie.split('=')[1]
    for (const secret of [sessionId, token, OWNER.password]) expect(file.includes(Buffer.from(secret))).toBe(false)
  })
})
