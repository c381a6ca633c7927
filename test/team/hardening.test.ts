import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Secret, TOTP } from 'otpauth'
import { afterAll, describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../src-shared/contract/audit.js'
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

// Team mode's sign-in hardening over HTTP (issue 21): sign-ins in the audit trail without flooding it, TOTP
// secrets sealed at rest, key names that do not leak another workspace's keys, workspaces that cannot be deleted
// from under their members, and sessions that follow auth.sessionHours and password changes.

const PASSWORD = 'a long enough password'

const started: TeamGateway[] = []
const start = async (opts?: Parameters<typeof startTeamGateway>[0]) => {
  const gw = await startTeamGateway(opts)
  started.push(gw)
  return gw
}
const stop = async (gw: TeamGateway) => {
  await gw.close()
  started.splice(started.indexOf(gw), 1)
}
afterAll(async () => {
  for (const gw of started) await gw.close()
})

const as = (cookie: string) => ({ cookie, ...CSRF })

async function auditOf(gw: TeamGateway, action: string): Promise<AuditEntry[]> {
  const res = await gw.call(`/admin/v1/audit?action=${action}&limit=200`, { headers: ADMIN_BEARER })
  expect(res.status, await res.clone().text()).toBe(200)
  return ((await res.json()) as { items: AuditEntry[] }).items
}
const changes = (e: AuditEntry) => Object.fromEntries(e.diff.map((c) => [c.path, c.after]))

async function addMember(gw: TeamGateway, email: string, role: string, workspaces: string[]) {
  const res = await gw.call('/admin/v1/team/members', {
    body: { email, name: email.split('@')[0], role, workspaces, password: PASSWORD },
    headers: ADMIN_BEARER,
  })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await res.json()) as { id: string }
}

describe('sign-ins in the audit trail', () => {
  it('records sign-in, failures with their reason and the email typed, sign-out, and an admin ending sessions', async () => {
    const gw = await start()
    await setUpOwner(gw)
    const ok = await login(gw, OWNER.email, OWNER.password)
    expect(ok.status).toBe(204)
    const cookie = cookieOf(ok)
    for (const wrong of ['wrong password one', 'wrong password two'])
      expect((await login(gw, ' Olga@Example.com', wrong)).status).toBe(401)
    expect((await login(gw, 'nobody@example.com', 'wrong password three')).status).toBe(401)
    expect((await gw.call('/auth/logout', { method: 'POST', headers: { cookie } })).status).toBe(204)

    const signIns = await auditOf(gw, 'auth.sign-in')
    expect(signIns.map((e) => [e.actorName, changes(e).via])).toEqual([
      [OWNER.name, 'password'],
      [OWNER.name, 'setup'],
    ])
    expect(signIns[0]).toMatchObject({ actor: expect.stringMatching(/^person:acc_/), remoteAddress: '127.0.0.1' })

    const failed = await auditOf(gw, 'auth.sign-in-failed')
    expect(failed.map((e) => ({ actor: e.actor, name: e.actorName, ...changes(e) }))).toEqual([
      { actor: 'anonymous', name: 'nobody@example.com', attempts: 1, 'reasons.unknown_account': 1 },
      // Both wrong passwords for one address are one entry, shown as typed (trimmed).
      { actor: 'anonymous', name: 'Olga@Example.com', attempts: 2, 'reasons.wrong_password': 2 },
    ])
    const out = await auditOf(gw, 'auth.sign-out')
    expect(out.map((e) => [e.actorName, e.target])).toEqual([[OWNER.name, signIns[0].target]])

    // No password typed is anywhere in the trail.
    const all = JSON.stringify(await auditOf(gw, 'auth'))
    for (const secret of [OWNER.password, 'wrong password one', 'wrong password three'])
      expect(all).not.toContain(secret)

    const dev = await addMember(gw, 'dev@example.com', 'developer', ['default'])
    expect((await login(gw, 'dev@example.com', PASSWORD)).status).toBe(204)
    const ended = await gw.call(`/admin/v1/team/members/${dev.id}/sign-out`, { method: 'POST', headers: ADMIN_BEARER })
    expect(ended.status).toBe(204)
    expect((await auditOf(gw, 'member.sign-out')).map((e) => [e.actor, e.target])).toEqual([['admin-token', dev.id]])
  })

  it('records a wrong TOTP code and a spent setup link, without the code', async () => {
    const gw = await start()
    const owner = as(await setUpOwner(gw))
    const enrol = await gw.call('/admin/v1/me/totp', { method: 'POST', headers: owner })
    const totp = new TOTP({ secret: Secret.fromBase32((await enrol.json()).secret) })
    expect(
      (await gw.call('/admin/v1/me/totp', { method: 'PUT', body: { code: totp.generate() }, headers: owner })).status,
    ).toBe(204)
    expect((await login(gw, OWNER.email, OWNER.password, '123456')).status).toBe(401)
    expect((await gw.call('/auth/setup', { body: { token: 'spent-or-made-up', ...OWNER } })).status).toBe(401)

    const failed = await auditOf(gw, 'auth.sign-in-failed')
    // One address within a minute: one entry counting both reasons.
    expect(failed.map((e) => ({ name: e.actorName, ...changes(e) }))).toEqual([
      { name: OWNER.email, attempts: 2, 'reasons.wrong_totp': 1, 'reasons.invalid_setup_token': 1 },
    ])
    expect(JSON.stringify(failed)).not.toContain('123456')
  })

  it('cannot be flooded: one entry per email a minute, at most 50 new ones a minute, the rest counted in one', async () => {
    let now = Date.now()
    const gw = await start({ clock: () => now })
    await setUpOwner(gw)
    // From one address: 20 wrong passwords, then 429s (audited as too_many_attempts) for the other 180 emails.
    for (let i = 0; i < 200; i++) {
      const res = await login(gw, `spray${i}@example.com`, 'some password')
      expect([401, 429]).toContain(res.status)
    }
    for (let i = 0; i < 30; i++) await login(gw, 'spray0@example.com', 'some password')

    const failed = await auditOf(gw, 'auth.sign-in-failed')
    expect(failed.length).toBe(51)
    const others = failed.find((e) => e.actorName === '(other addresses)') as AuditEntry
    expect(changes(others)).toEqual({ attempts: 150, 'reasons.too_many_attempts': 150 })
    expect(changes(failed.find((e) => e.actorName === 'spray0@example.com') as AuditEntry).attempts).toBe(31)
    const attempts = failed.reduce((n, e) => n + (changes(e).attempts as number), 0)
    expect(attempts).toBe(230)

    // A minute on, an email's failures begin a new entry.
    now += 61_000
    await login(gw, 'spray0@example.com', 'some password')
    expect((await auditOf(gw, 'auth.sign-in-failed')).length).toBe(52)
  })
})

describe('TOTP secrets at rest', () => {
  const dbFile = (dir: string) => readFileSync(join(dir, 'switchyard.db'))
  const stored = (dir: string) => {
    const db = new Database(join(dir, 'switchyard.db'), { readonly: true })
    const row = db.prepare('SELECT totp_secret, totp_pending FROM team_accounts').get() as {
      totp_secret: string | null
      totp_pending: string | null
    }
    db.close()
    return row
  }

  it('keeps them sealed with a key outside the database, and seals plain ones from before at start', async () => {
    const dir = tempDir()
    let gw = await start({ dir })
    const owner = as(await setUpOwner(gw))
    const enrol = await gw.call('/admin/v1/me/totp', { method: 'POST', headers: owner })
    const { secret } = (await enrol.json()) as { secret: string }
    const totp = new TOTP({ secret: Secret.fromBase32(secret) })
    expect(
      (await gw.call('/admin/v1/me/totp', { method: 'PUT', body: { code: totp.generate() }, headers: owner })).status,
    ).toBe(204)
    await stop(gw)

    expect(stored(dir).totp_secret).toMatch(/^enc:v1:/)
    expect(dbFile(dir).includes(Buffer.from(secret))).toBe(false)
    expect(readFileSync(join(dir, 'secrets.enc.json'), 'utf8')).not.toContain(secret)

    // The key survives a restart: the next code signs in.
    gw = await start({ dir })
    const next = totp.generate({ timestamp: Date.now() + 30_000 })
    expect((await login(gw, OWNER.email, OWNER.password, next)).status).toBe(204)
    await stop(gw)

    // A database from before sealing: the secret in plain text.
    const plain = new Secret({ size: 20 }).base32
    const old = new Database(join(dir, 'switchyard.db'))
    old.prepare('UPDATE team_accounts SET totp_secret = ?, totp_last_counter = NULL').run(plain)
    old.pragma('wal_checkpoint(TRUNCATE)')
    old.close()
    expect(dbFile(dir).includes(Buffer.from(plain))).toBe(true)

    gw = await start({ dir })
    await stop(gw)
    expect(stored(dir).totp_secret).toMatch(/^enc:v1:/)
    expect(dbFile(dir).includes(Buffer.from(plain))).toBe(false)
    const wal = join(dir, 'switchyard.db-wal')
    if (existsSync(wal)) expect(readFileSync(wal).includes(Buffer.from(plain))).toBe(false)

    gw = await start({ dir })
    const code = new TOTP({ secret: Secret.fromBase32(plain) }).generate()
    expect((await login(gw, OWNER.email, OWNER.password, code)).status).toBe(204)
  })
})

const WORKSPACES_YAML = `discovery: { enabled: false }
auth: { mode: team }
workspaces:
  a: { name: A }
  b: { name: B }
keys:
  - { name: key-b, key: "\${env:KEY_B}", workspace: b }
`

describe('key names across workspaces', () => {
  it('tells a member of A only that a name B uses is unavailable; an admin learns where it is', async () => {
    const gw = await start({ yaml: WORKSPACES_YAML, env: { KEY_B: 'sk-hardening-key-b-0123456789' } })
    const made = await gw.call('/admin/v1/team/service-accounts', {
      body: { name: 'ci of a', role: 'developer', workspaces: ['a'] },
      headers: ADMIN_BEARER,
    })
    const { token } = (await made.json()) as { token: string }
    const body = { name: 'key-b', workspace: 'a' }

    const member = await gw.call('/admin/v1/keys', { body, headers: { authorization: `Bearer ${token}` } })
    expect(member.status).toBe(409)
    const { error } = (await member.json()) as { error: { code: string; message: string; param: string } }
    expect(error).toMatchObject({ code: 'key_exists', param: 'name' })
    expect(error.message).toMatch(/unavailable/)
    expect(error.message).not.toMatch(/workspace 'b'|exists/)

    const admin = await gw.call('/admin/v1/keys', { body, headers: ADMIN_BEARER })
    expect(admin.status).toBe(409)
    expect(((await admin.json()) as { error: { message: string } }).error.message).toBe(
      "key 'key-b' already exists in workspace 'b'",
    )
  })
})

describe('deleting a workspace people are in', () => {
  it('is refused while a member or service account lists it, and a workspace removed otherwise grants nothing', async () => {
    const gw = await start({ yaml: WORKSPACES_YAML, env: { KEY_B: 'sk-hardening-key-b-0123456789' } })
    const member = await addMember(gw, 'ana@example.com', 'developer', ['a'])
    const made = await gw.call('/admin/v1/team/service-accounts', {
      body: { name: 'ci of a', role: 'viewer', workspaces: ['a'] },
      headers: ADMIN_BEARER,
    })
    const service = (await made.json()) as { id: string; token: string }

    const del = () => gw.call('/admin/v1/workspaces/a', { method: 'DELETE', headers: ADMIN_BEARER })
    const refused = await del()
    expect(refused.status).toBe(409)
    const { error } = (await refused.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('workspace_in_use')
    expect(error.message).toContain('members ana@example.com')
    expect(error.message).toContain('service accounts ci of a')

    // Removed from the config another way (an import): gone from their lists, and made again it is not theirs.
    const importing = (workspaces: Record<string, { name: string }>) =>
      gw.call('/admin/v1/config/import?apply=true', {
        body: {
          discovery: { enabled: false },
          auth: { mode: 'team' },
          workspaces,
          keys: [{ name: 'key-b', key: '${env:KEY_B}', workspace: 'b' }],
        },
        headers: ADMIN_BEARER,
      })
    const removed = await importing({ b: { name: 'B' } })
    expect(removed.status, await removed.clone().text()).toBe(200)
    const workspacesOf = async (headers: Record<string, string>) =>
      ((await (await gw.call('/admin/v1/me', { headers })).json()) as { workspaces: string[] }).workspaces
    const serviceBearer = { authorization: `Bearer ${service.token}` }
    expect(await workspacesOf(serviceBearer)).toEqual([])
    expect((await importing({ a: { name: 'A again' }, b: { name: 'B' } })).status).toBe(200)
    expect(await workspacesOf(serviceBearer)).toEqual([])
    const ana = cookieOf(await login(gw, 'ana@example.com', PASSWORD))
    expect(await workspacesOf({ cookie: ana })).toEqual([])
    const listed = await gw.call('/admin/v1/team/members', { headers: ADMIN_BEARER })
    const items = ((await listed.json()) as { items: { id: string; workspaces: string[] }[] }).items
    expect(items.find((m) => m.id === member.id)?.workspaces).toEqual([])
    expect((await del()).status).toBe(204)
  })
})

describe('sessions', () => {
  it('end by a shorter auth.sessionHours at once, counted from sign-in', async () => {
    let now = Date.now()
    const gw = await start({ clock: () => now })
    const cookie = await setUpOwner(gw)
    const info = async () => (await gw.call('/admin/v1/info', { headers: { cookie } })).status
    now += 2 * 3_600_000
    expect(await info()).toBe(200)
    const shorter = await gw.call('/admin/v1/config/import?apply=true', {
      body: { discovery: { enabled: false }, auth: { mode: 'team', sessionHours: 1 } },
      headers: ADMIN_BEARER,
    })
    expect(shorter.status, await shorter.clone().text()).toBe(200)
    expect(await info()).toBe(401)
    // A new session lives the new hour.
    const fresh = cookieOf(await login(gw, OWNER.email, OWNER.password))
    expect((await gw.call('/admin/v1/info', { headers: { cookie: fresh } })).status).toBe(200)
    now += 3_600_000
    expect((await gw.call('/admin/v1/info', { headers: { cookie: fresh } })).status).toBe(401)
  })

  it('end everywhere else when the person changes their password, this one staying', async () => {
    const gw = await start()
    const here = await setUpOwner(gw)
    const elsewhere = cookieOf(await login(gw, OWNER.email, OWNER.password))
    const changed = await gw.call('/admin/v1/me/password', {
      body: { current: OWNER.password, next: 'a brand new password' },
      headers: as(here),
    })
    expect(changed.status).toBe(204)
    expect((await gw.call('/admin/v1/info', { headers: { cookie: here } })).status).toBe(200)
    expect((await gw.call('/admin/v1/info', { headers: { cookie: elsewhere } })).status).toBe(401)
    expect((await login(gw, OWNER.email, OWNER.password)).status).toBe(401)
    expect((await login(gw, OWNER.email, 'a brand new password')).status).toBe(204)
  })
})

describe("an admin resetting a member's two-factor", () => {
  const enrol = async (gw: TeamGateway, who: Record<string, string>) => {
    const started = await gw.call('/admin/v1/me/totp', { method: 'POST', headers: who })
    const totp = new TOTP({ secret: Secret.fromBase32(((await started.json()) as { secret: string }).secret) })
    const confirmed = await gw.call('/admin/v1/me/totp', {
      method: 'PUT',
      body: { code: totp.generate() },
      headers: who,
    })
    expect(confirmed.status).toBe(204)
  }
  const reset = (gw: TeamGateway, id: string, headers: Record<string, string>) =>
    gw.call(`/admin/v1/team/members/${id}/totp`, { method: 'DELETE', headers })
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

  it("turns it off and ends their sessions; never an owner by an admin, nor one's own without a code", async () => {
    const gw = await start()
    const ownerCookie = await setUpOwner(gw)
    const owner = as(ownerCookie)
    const ownerId = ((await (await gw.call('/admin/v1/me', { headers: owner })).json()) as { id: string }).id
    await enrol(gw, owner)
    const dev = await addMember(gw, 'dev@example.com', 'developer', ['default'])
    const devSession = cookieOf(await login(gw, 'dev@example.com', PASSWORD))
    await enrol(gw, as(devSession))
    await addMember(gw, 'adam@example.com', 'admin', [])
    const admin = as(cookieOf(await login(gw, 'adam@example.com', PASSWORD)))

    // The owner's second factor is out of an admin's reach, and one's own needs the code (DELETE /me/totp).
    const byAdmin = await reset(gw, ownerId, admin)
    expect(byAdmin.status).toBe(403)
    expect(await errorCode(byAdmin)).toBe('owner_only')
    const own = await reset(gw, ownerId, owner)
    expect(own.status).toBe(409)
    expect(await errorCode(own)).toBe('totp_self')
    expect((await login(gw, OWNER.email, OWNER.password)).status).toBe(401)

    // The developer lost their phone: an admin resets it; the old session ends, the password alone signs in.
    expect((await gw.call('/admin/v1/me', { headers: { cookie: devSession } })).status).toBe(200)
    expect((await reset(gw, dev.id, admin)).status).toBe(204)
    expect((await gw.call('/admin/v1/me', { headers: { cookie: devSession } })).status).toBe(401)
    const members = (await (await gw.call('/admin/v1/team/members', { headers: admin })).json()) as {
      items: { id: string; totp: boolean }[]
    }
    expect(members.items.find((m) => m.id === dev.id)?.totp).toBe(false)
    expect((await login(gw, 'dev@example.com', PASSWORD)).status).toBe(204)
    const again = await reset(gw, dev.id, admin)
    expect(again.status).toBe(409)
    expect(await errorCode(again)).toBe('totp_disabled')

    const audited = await auditOf(gw, 'member.totp-reset')
    expect(audited.map((e) => [e.actorName, e.target, changes(e).totp])).toEqual([['adam', dev.id, false]])

    // A developer may not reset anyone's.
    const devAgain = as(cookieOf(await login(gw, 'dev@example.com', PASSWORD)))
    expect((await reset(gw, ownerId, devAgain)).status).toBe(403)
  })
})
