import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import OpenAI from 'openai'
import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'
import {
  ADMIN_BEARER,
  CSRF,
  cookieOf,
  login,
  OWNER,
  setUpOwner,
  startTeamGateway,
  type TeamGateway,
} from './team-helpers.js'

// The members and service accounts API, /admin/v1/me and TOTP, over HTTP on a team gateway: who may change whom,
// and that every removal, disabling and sign-out counts from the next request.

const CLIENT_KEY = 'sk-team-client-key-0123456789'
const PASSWORD = 'a long enough password'

let mock: RunningMock
let gw: TeamGateway
/** The owner's session cookie plus the CSRF header: what the web UI sends. */
let owner: Record<string, string>

const as = (cookie: string) => ({ cookie, ...CSRF })
const json = async (res: Response) => ({ status: res.status, body: await res.json().catch(() => null) })

async function addMember(role: string, email: string, by = owner) {
  const res = await gw.call('/admin/v1/team/members', {
    body: { email, name: email.split('@')[0], role, workspaces: ['default'], password: PASSWORD },
    headers: by,
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string }
}

async function signedIn(email: string) {
  const res = await login(gw, email, PASSWORD)
  expect(res.status).toBe(204)
  return cookieOf(res)
}

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startTeamGateway({
    yaml: `discovery: { enabled: false }
auth: { mode: team }
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
keys:
  - { name: ci, key: "\${env:CLIENT_KEY}" }
`,
    env: { CLIENT_KEY },
  })
  owner = as(await setUpOwner(gw))
})
afterAll(async () => {
  await gw.close()
  await mock.stop()
})

describe('sessions end at once', () => {
  it('for a disabled member, a signed-out member and a removed member', async () => {
    const dev = await addMember('developer', 'dev1@example.com')
    let cookie = await signedIn('dev1@example.com')
    expect((await gw.call('/admin/v1/me', { headers: { cookie } })).status).toBe(200)

    const patch = (body: unknown) =>
      gw.call(`/admin/v1/team/members/${dev.id}`, { method: 'PATCH', body, headers: owner })
    expect((await patch({ disabled: true })).status).toBe(200)
    expect((await gw.call('/admin/v1/me', { headers: { cookie } })).status).toBe(401)
    expect((await login(gw, 'dev1@example.com', PASSWORD)).status).toBe(401)
    expect((await patch({ disabled: false })).status).toBe(200)

    cookie = await signedIn('dev1@example.com')
    const out = await gw.call(`/admin/v1/team/members/${dev.id}/sign-out`, { method: 'POST', headers: owner })
    expect(out.status).toBe(204)
    expect((await gw.call('/admin/v1/me', { headers: { cookie } })).status).toBe(401)

    cookie = await signedIn('dev1@example.com')
    const reset = await gw.call(`/admin/v1/team/members/${dev.id}/password`, {
      body: { password: 'another long password' },
      headers: owner,
    })
    expect(reset.status).toBe(204)
    expect((await gw.call('/admin/v1/me', { headers: { cookie } })).status).toBe(401)
    expect((await login(gw, 'dev1@example.com', PASSWORD)).status).toBe(401)

    cookie = cookieOf(await login(gw, 'dev1@example.com', 'another long password'))
    const gone = await gw.call(`/admin/v1/team/members/${dev.id}`, { method: 'DELETE', headers: owner })
    expect(gone.status).toBe(204)
    expect((await gw.call('/admin/v1/me', { headers: { cookie } })).status).toBe(401)
  })

  it('a role change counts from the next request', async () => {
    const m = await addMember('admin', 'adm0@example.com')
    const cookie = await signedIn('adm0@example.com')
    expect((await gw.call('/admin/v1/team/members', { headers: { cookie } })).status).toBe(200)
    const res = await gw.call(`/admin/v1/team/members/${m.id}`, {
      method: 'PATCH',
      body: { role: 'viewer' },
      headers: owner,
    })
    expect(res.status).toBe(200)
    expect((await gw.call('/admin/v1/team/members', { headers: { cookie } })).status).toBe(403)
  })
})

describe('the audit trail', () => {
  it('names the person and the service account that made a change', async () => {
    const ownerMe = await (await gw.call('/admin/v1/me', { headers: owner })).json()
    const m = await addMember('viewer', 'audited@example.com')
    const svc = await gw.call('/admin/v1/team/service-accounts', {
      body: { name: 'ci-admin', role: 'admin' },
      headers: owner,
    })
    const { id: svcId, token } = await svc.json()
    const bearer = { authorization: `Bearer ${token}` }
    const patched = await gw.call(`/admin/v1/team/members/${m.id}`, {
      method: 'PATCH',
      body: { role: 'developer' },
      headers: bearer,
    })
    expect(patched.status).toBe(200)

    const { items } = await (await gw.call('/admin/v1/audit?action=member', { headers: ADMIN_BEARER })).json()
    const created = items.find(
      (e: { action: string; target: string }) => e.action === 'member.create' && e.target === m.id,
    )
    expect(created).toMatchObject({ actor: `person:${ownerMe.id}`, actorName: OWNER.name })
    const changed = items.find(
      (e: { action: string; target: string }) => e.action === 'member.update' && e.target === m.id,
    )
    expect(changed).toMatchObject({ actor: `service:${svcId}`, actorName: 'ci-admin' })
    expect(changed.diff).toEqual([{ path: 'role', before: 'viewer', after: 'developer' }])
  })
})

describe('workspaces', () => {
  it('a member or service account can only be put in a workspace the config has', async () => {
    const member = await gw.call('/admin/v1/team/members', {
      body: { email: 'ws@example.com', name: 'ws', role: 'developer', workspaces: ['nope'], password: PASSWORD },
      headers: owner,
    })
    expect(await json(member)).toMatchObject({ status: 400, body: { error: { param: 'workspaces' } } })
    const svc = await gw.call('/admin/v1/team/service-accounts', {
      body: { name: 'ci', role: 'viewer', workspaces: ['default', 'nope'] },
      headers: owner,
    })
    expect(svc.status).toBe(400)
  })
})

describe('owners', () => {
  it('only an owner creates, changes, resets or removes an owner, and the last owner stays', async () => {
    await addMember('admin', 'adm@example.com')
    const admin = as(await signedIn('adm@example.com'))
    const ownerId = (await (await gw.call('/admin/v1/me', { headers: owner })).json()).id as string

    const makeOwner = await gw.call('/admin/v1/team/members', {
      body: { email: 'o2@example.com', name: 'o2', role: 'owner', password: PASSWORD },
      headers: admin,
    })
    expect(await json(makeOwner)).toMatchObject({ status: 403, body: { error: { code: 'owner_only' } } })
    for (const [method, path, body] of [
      ['PATCH', `/admin/v1/team/members/${ownerId}`, { name: 'renamed' }],
      ['POST', `/admin/v1/team/members/${ownerId}/password`, { password: 'taken over password' }],
      ['DELETE', `/admin/v1/team/members/${ownerId}`, undefined],
      // Ending an owner's sessions would lock them out as surely as a password reset.
      ['POST', `/admin/v1/team/members/${ownerId}/sign-out`, undefined],
      ['DELETE', `/admin/v1/team/members/${ownerId}/totp`, undefined],
    ] as const) {
      const res = await gw.call(path, { method, body, headers: admin })
      expect(res.status, `${method} ${path}`).toBe(403)
    }
    // An admin cannot make themselves (or anyone) an owner either.
    const me = (await (await gw.call('/admin/v1/me', { headers: admin })).json()).id as string
    const promote = await gw.call(`/admin/v1/team/members/${me}`, {
      method: 'PATCH',
      body: { role: 'owner' },
      headers: admin,
    })
    expect(promote.status).toBe(403)

    const demote = await gw.call(`/admin/v1/team/members/${ownerId}`, {
      method: 'PATCH',
      body: { role: 'admin' },
      headers: owner,
    })
    expect(await json(demote)).toMatchObject({ status: 409, body: { error: { code: 'last_owner' } } })
    const remove = await gw.call(`/admin/v1/team/members/${ownerId}`, { method: 'DELETE', headers: ADMIN_BEARER })
    expect(await json(remove)).toMatchObject({ status: 409, body: { error: { code: 'last_owner' } } })
  })
})

describe('service accounts', () => {
  it('act on /admin with their role, never on the model APIs, and stop when removed', async () => {
    const created = await gw.call('/admin/v1/team/service-accounts', {
      body: { name: 'ci-reader', role: 'viewer', workspaces: ['default'] },
      headers: owner,
    })
    expect(created.status).toBe(201)
    const { id, token } = (await created.json()) as { id: string; token: string }
    expect(token).toMatch(/^sy_svc_/)
    const bearer = { authorization: `Bearer ${token}` }

    const me = await (await gw.call('/admin/v1/me', { headers: bearer })).json()
    expect(me).toMatchObject({ kind: 'service', id, role: 'viewer', workspaces: ['default'] })
    expect((await gw.call('/admin/v1/logs', { headers: bearer })).status).toBe(200)
    expect((await gw.call('/admin/v1/team/members', { headers: bearer })).status).toBe(403)
    const list = await (await gw.call('/admin/v1/team/service-accounts', { headers: owner })).json()
    expect(JSON.stringify(list)).not.toContain(token)

    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: token, maxRetries: 0 })
    const refused = await openai.chat.completions
      .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e)
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError)
    const withKey = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 })
    const answer = await withKey.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(answer.choices.length).toBe(1)

    expect((await gw.call(`/admin/v1/team/service-accounts/${id}`, { method: 'DELETE', headers: owner })).status).toBe(
      204,
    )
    expect((await gw.call('/admin/v1/me', { headers: bearer })).status).toBe(401)
  })
})

describe('the model APIs with a web UI session', () => {
  it('take a developer, whose role runs the Playground, and refuse a viewer', async () => {
    await addMember('developer', 'playground-dev@example.com')
    await addMember('viewer', 'playground-viewer@example.com')
    const chat = (cookie: string) =>
      gw.call('/v1/chat/completions', {
        body: { model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] },
        headers: as(cookie),
      })
    expect((await chat(await signedIn('playground-dev@example.com'))).status).toBe(200)
    expect((await chat(await signedIn('playground-viewer@example.com'))).status).toBe(401)
  })
})

describe('TOTP', () => {
  it('is needed at sign-in once enrolled, a code works once, and the secret is never shown again', async () => {
    await addMember('developer', 'totp@example.com')
    const cookie = as(await signedIn('totp@example.com'))
    const start = await gw.call('/admin/v1/me/totp', { method: 'POST', headers: cookie })
    expect(start.status).toBe(200)
    const { secret, uri } = (await start.json()) as { secret: string; uri: string }
    expect(uri).toMatch(/^otpauth:\/\/totp\/Switchyard:totp%40example\.com\?/)
    const totp = new TOTP({ secret: Secret.fromBase32(secret) })
    const confirm = await gw.call('/admin/v1/me/totp', {
      method: 'PUT',
      body: { code: totp.generate() },
      headers: cookie,
    })
    expect(confirm.status).toBe(204)
    const me = await (await gw.call('/admin/v1/me', { headers: cookie })).json()
    expect(me.totp).toBe(true)
    expect(JSON.stringify(me)).not.toContain(secret)
    const members = await (await gw.call('/admin/v1/team/members', { headers: owner })).text()
    expect(members).not.toContain(secret)

    const noCode = await login(gw, 'totp@example.com', PASSWORD)
    expect(await json(noCode)).toMatchObject({ status: 401, body: { error: { code: 'totp_required' } } })
    expect((await login(gw, 'totp@example.com', PASSWORD, '000000')).status).toBe(401)
    // The code that confirmed enrolment is spent; the next time step's code signs in.
    const next = totp.generate({ timestamp: Date.now() + 30_000 })
    expect((await login(gw, 'totp@example.com', PASSWORD, next)).status).toBe(204)
    expect((await login(gw, 'totp@example.com', PASSWORD, next)).status).toBe(401)
  })
})

describe('/admin/v1/me', () => {
  it('changes the password, keeping this session and ending the others', async () => {
    await addMember('viewer', 'pw@example.com')
    const here = as(await signedIn('pw@example.com'))
    const elsewhere = await signedIn('pw@example.com')
    const wrong = await gw.call('/admin/v1/me/password', {
      body: { current: 'not my password', next: 'a brand new password' },
      headers: here,
    })
    expect(wrong.status).toBe(400)
    const ok = await gw.call('/admin/v1/me/password', {
      body: { current: PASSWORD, next: 'a brand new password' },
      headers: here,
    })
    expect(ok.status).toBe(204)
    expect((await gw.call('/admin/v1/me', { headers: here })).status).toBe(200)
    expect((await gw.call('/admin/v1/me', { headers: { cookie: elsewhere } })).status).toBe(401)
    expect((await login(gw, 'pw@example.com', 'a brand new password')).status).toBe(204)
  })
})

describe('turning team mode on from Settings', () => {
  it('makes the caller the first owner, writes auth.mode: team, and signs them in', async () => {
    const solo = await startTeamGateway({ yaml: 'discovery: { enabled: false }\n' })
    try {
      const off = await solo.call('/admin/v1/team/members', { headers: ADMIN_BEARER })
      expect(await json(off)).toMatchObject({ status: 409, body: { error: { code: 'team_mode_off' } } })
      const res = await solo.call('/admin/v1/team/enable', { body: OWNER, headers: ADMIN_BEARER })
      expect(res.status).toBe(204)
      const session = await (await solo.call('/auth/session', { headers: { cookie: cookieOf(res) } })).json()
      expect(session).toMatchObject({
        mode: 'team',
        authenticated: true,
        principal: { role: 'owner', name: OWNER.name },
      })
      expect(readFileSync(join(solo.dir, 'config.yaml'), 'utf8')).toMatch(/auth:\s*\n\s*mode: team/)
      const again = await solo.call('/admin/v1/team/enable', { body: OWNER, headers: ADMIN_BEARER })
      expect(again.status).toBe(409)
    } finally {
      await solo.close()
    }
  })
})
