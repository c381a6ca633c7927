import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogItem } from '../../src-shared/contract/index.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'
import { ADMIN_BEARER, CSRF, cookieOf, login, setUpOwner, startTeamGateway, type TeamGateway } from './team-helpers.js'

// The web UI's own model calls (Playground, prompt runs) in team mode (issue 21, board decision 2): made with the
// session cookie and the CSRF header, in the workspace the switcher names (`x-switchyard-workspace`) or else the
// member's first. The log row carries that workspace, and the workspace decides what the call may address, as a
// key's workspace does: a member cannot reach another workspace's route or provider from the Playground.

const KEY_A = 'sk-sy-ui-ws-alpha-0123456789abcdef'
const PASSWORD = 'a long enough password'

const yaml = (upstream: string) => `
discovery: { enabled: false }
auth: { mode: team }
workspaces:
  alpha: { name: Alpha }
  beta: { name: Beta }
providers:
  compat: { type: openai-compatible, baseUrl: "${upstream}/v1" }
  private: { type: openai-compatible, baseUrl: "${upstream}/v1", workspaces: [alpha] }
routes:
  alpha-only: { targets: [{ model: compat/mock-gpt }], workspaces: [alpha] }
keys:
  - { name: key-a, key: "\${env:KEY_A}", workspace: alpha }
`

describe('UI model calls are made in a workspace', () => {
  let upstream: RunningMock
  let gw: TeamGateway
  let both = ''
  let betaOnly = ''

  /** A Playground call as the renderer makes it: the session cookie, the CSRF header, the chosen workspace. */
  const chat = (cookie: string, model: string, workspace?: string | string[]) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie,
        ...CSRF,
        ...(workspace === undefined ? {} : { 'x-switchyard-workspace': workspace as string }),
      },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    })

  /** The newest log row, read as the owner (who sees every workspace). */
  const lastRow = async (): Promise<LogItem> => {
    gw.app.requestLog.flush()
    const res = await gw.call('/admin/v1/logs?limit=1', { headers: ADMIN_BEARER })
    return ((await res.json()) as { items: LogItem[] }).items[0]
  }

  beforeAll(async () => {
    upstream = await startMockUpstream()
    gw = await startTeamGateway({ yaml: yaml(upstream.url), env: { KEY_A } })
    const owner = { cookie: await setUpOwner(gw), ...CSRF }
    for (const [name, email, workspaces] of [
      ['Dana Both', 'dana@example.com', ['beta', 'alpha']],
      ['Bo Beta', 'bo@example.com', ['beta']],
    ] as const) {
      const res = await gw.call('/admin/v1/team/members', {
        body: { name, email, role: 'developer', workspaces, password: PASSWORD },
        headers: owner,
      })
      expect(res.status, await res.clone().text()).toBe(201)
    }
    both = cookieOf(await login(gw, 'dana@example.com', PASSWORD))
    betaOnly = cookieOf(await login(gw, 'bo@example.com', PASSWORD))
  })
  afterAll(async () => {
    await gw?.close()
    await upstream?.stop()
  })

  it('logs the workspace the switcher names, and the member’s first one without it', async () => {
    expect((await chat(both, 'compat/mock-gpt', 'beta')).status).toBe(200)
    expect(await lastRow()).toMatchObject({ workspace: 'beta', person: 'Dana Both', keyName: null })
    expect((await chat(both, 'compat/mock-gpt')).status).toBe(200)
    expect(await lastRow()).toMatchObject({ workspace: 'alpha', person: 'Dana Both' })
  })

  it('refuses a workspace that is not the member’s, not configured, or not an id', async () => {
    const other = await chat(betaOnly, 'compat/mock-gpt', 'alpha')
    expect(other.status).toBe(403)
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('workspace_forbidden')
    for (const bad of ['gamma', 'x'.repeat(5000), '../alpha']) {
      const res = await chat(both, 'compat/mock-gpt', bad)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_workspace')
    }
  })

  it('keeps another workspace’s route and provider out of reach of a member’s Playground', async () => {
    const route = await chat(betaOnly, 'alpha-only')
    expect(route.status).toBe(403)
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe('model_not_allowed')
    expect((await chat(betaOnly, 'private/mock-gpt')).status).toBe(403)
    // Counting tokens sends the prompt to the route's provider too.
    const counted = await fetch(`${gw.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: betaOnly, ...CSRF },
      body: JSON.stringify({ model: 'alpha-only', messages: [{ role: 'user', content: 'hello' }] }),
    })
    expect(counted.status).toBe(403)
    // Dana may use them, but only while she works in alpha.
    expect((await chat(both, 'alpha-only', 'beta')).status).toBe(403)
    expect((await chat(both, 'alpha-only', 'alpha')).status).toBe(200)
    expect((await chat(both, 'private/mock-gpt', 'alpha')).status).toBe(200)

    const listed = async (cookie: string, workspace?: string) => {
      const res = await fetch(`${gw.url}/v1/models`, {
        headers: { cookie, ...CSRF, ...(workspace ? { 'x-switchyard-workspace': workspace } : {}) },
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id)
    }
    expect(await listed(betaOnly)).not.toContain('alpha-only')
    expect(await listed(both, 'alpha')).toContain('alpha-only')
  })

  it('leaves the admin token’s calls outside every workspace unless it names one', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ADMIN_BEARER, ...headers },
        body: JSON.stringify({ model: 'compat/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
      })
    expect((await call({})).status).toBe(200)
    expect(await lastRow()).toMatchObject({ workspace: null, person: null })
    expect((await call({ 'x-switchyard-workspace': 'beta' })).status).toBe(200)
    expect(await lastRow()).toMatchObject({ workspace: 'beta' })
  })
})
