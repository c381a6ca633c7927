import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccessRequest } from '../../src-shared/contract/portal.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'
import { ADMIN_BEARER, startTeamGateway, type TeamGateway } from './team-helpers.js'

// Access requests from the model portal (issue 21): a developer asks for a model on their key, a viewer cannot
// decide, an admin approves, and the key then calls the model through the real openai SDK; both steps audited.

const KEY_A = 'sk-sy-access-a-0123456789SECRET'
const KEY_B = 'sk-sy-access-b-9876543210SECRET'

let mock: RunningMock
let gw: TeamGateway

beforeAll(async () => {
  mock = await startMockUpstream()
  gw = await startTeamGateway({
    env: { SY_KEY_A: KEY_A, SY_KEY_B: KEY_B },
    yaml: `
discovery: { enabled: false }
auth: { mode: team }
workspaces:
  alpha: { name: Alpha }
  beta: { name: Beta }
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1", models: [mock-gpt, mock-gpt-mini] }
keys:
  - { name: key-a, key: "\${env:SY_KEY_A}", workspace: alpha, models: ["mock/mock-gpt"] }
  - { name: key-b, key: "\${env:SY_KEY_B}", workspace: beta, models: ["mock/mock-gpt"] }
`,
  })
})
afterAll(async () => {
  await gw?.close()
  await mock?.stop()
})

async function serviceAccount(name: string, role: string, workspaces: string[]): Promise<Record<string, string>> {
  const res = await gw.call('/admin/v1/team/service-accounts', {
    body: { name, role, workspaces },
    headers: ADMIN_BEARER,
  })
  expect(res.status).toBe(201)
  return { authorization: `Bearer ${(await res.json()).token}` }
}

const client = (key: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 })
const ask = (key: string) =>
  client(key).chat.completions.create({ model: 'mock/mock-gpt-mini', messages: [{ role: 'user', content: 'hi' }] })

describe('access requests', () => {
  it('a developer requests, a viewer cannot decide, an admin approves and the key can call the model', async () => {
    const dev = await serviceAccount('dev', 'developer', ['alpha'])
    const viewer = await serviceAccount('viewer', 'viewer', ['alpha'])
    const admin = await serviceAccount('admin', 'admin', [])

    await expect(ask(KEY_A)).rejects.toMatchObject({ status: 403 })

    // Another workspace's key is refused as if it did not exist.
    for (const key of ['key-b', 'no-such-key']) {
      const res = await gw.call('/admin/v1/portal/requests', {
        body: { model: 'mock/mock-gpt-mini', key, reason: 'x' },
        headers: dev,
      })
      expect(res.status).toBe(403)
    }

    const created = await gw.call('/admin/v1/portal/requests', {
      body: { model: 'mock/mock-gpt-mini', key: 'key-a', reason: 'cheaper summaries' },
      headers: dev,
    })
    expect(created.status).toBe(201)
    const request = (await created.json()) as AccessRequest
    expect(request).toMatchObject({ status: 'pending', key: 'key-a', workspace: 'alpha', requesterName: 'dev' })

    // The requester sees their own; another member sees none of it; an admin sees all.
    const mine = await (await gw.call('/admin/v1/portal/requests', { headers: dev })).json()
    expect(mine.items.map((r: AccessRequest) => r.id)).toEqual([request.id])
    const theirs = await (await gw.call('/admin/v1/portal/requests', { headers: viewer })).json()
    expect(theirs.items).toEqual([])
    const everyone = await (await gw.call('/admin/v1/portal/requests', { headers: admin })).json()
    expect(everyone.items.map((r: AccessRequest) => r.id)).toContain(request.id)

    for (const who of [viewer, dev]) {
      const refused = await gw.call(`/admin/v1/portal/requests/${request.id}/approve`, { method: 'POST', headers: who })
      expect(refused.status).toBe(403)
    }
    await expect(ask(KEY_A)).rejects.toMatchObject({ status: 403 })

    const approved = await gw.call(`/admin/v1/portal/requests/${request.id}/approve`, {
      method: 'POST',
      headers: admin,
    })
    expect(approved.status).toBe(200)
    expect(await approved.json()).toMatchObject({ status: 'approved', decidedByName: 'admin' })
    const again = await gw.call(`/admin/v1/portal/requests/${request.id}/deny`, { method: 'POST', headers: admin })
    expect(again.status).toBe(409)

    const reply = await ask(KEY_A)
    expect(reply.choices[0].message.content).toBeTruthy()
    const keys = await (await gw.call('/admin/v1/keys', { headers: ADMIN_BEARER })).json()
    expect(keys.items.find((k: { name: string }) => k.name === 'key-a').models).toEqual([
      'mock/mock-gpt',
      'mock/mock-gpt-mini',
    ])

    const audit = await (await gw.call('/admin/v1/audit', { headers: ADMIN_BEARER })).json()
    const text = JSON.stringify(audit)
    expect(text).toContain('access.request')
    expect(text).toContain('access.approve')
    expect(text).toContain('service:')
  })
})
