import { afterEach, describe, expect, it } from 'vitest'
import type { PortalAnswer } from '../../src-shared/contract/portal.js'
import { ADMIN_BEARER, startTeamGateway, type TeamGateway } from './team-helpers.js'

// The model portal (issue 21): GET /admin/v1/portal lists what one workspace may call, priced, with its keys'
// limits and snippets, and answers a developer only about their own workspaces.

const KEY_A = 'sk-sy-portal-a-0123456789SECRET'
const KEY_B = 'sk-sy-portal-b-9876543210SECRET'

const YAML = `
discovery: { enabled: false }
auth: { mode: team }
workspaces:
  alpha: { name: Alpha }
  beta: { name: Beta }
providers:
  mock: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [gpt-a, gpt-b] }
  alphaonly: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [gpt-x], workspaces: [alpha] }
pricing:
  mock/gpt-a: { input: 3, output: 15 }
routes:
  everyone: { targets: [{ model: mock/gpt-a, contextWindow: 64000 }] }
  alpha-route: { targets: [{ model: mock/gpt-b }], workspaces: [alpha] }
prompts:
  greet:
    model: mock/gpt-a
    messages: [{ role: user, content: "Hello {{name}}" }]
    workspace: alpha
keys:
  - { name: key-a, key: "\${env:SY_KEY_A}", workspace: alpha, models: ["everyone", "mock/*"], limits: { rpm: 60 }, budget: { usd: 5, period: day } }
  - { name: key-b, key: "\${env:SY_KEY_B}", workspace: beta }
`

const started: TeamGateway[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.close()))
})

async function start(): Promise<TeamGateway> {
  const gw = await startTeamGateway({ yaml: YAML, env: { SY_KEY_A: KEY_A, SY_KEY_B: KEY_B } })
  started.push(gw)
  return gw
}

/** A service account's bearer header: the role and workspaces as an account of that kind has them. */
async function serviceAccount(gw: TeamGateway, role: string, workspaces: string[]): Promise<Record<string, string>> {
  const res = await gw.call('/admin/v1/team/service-accounts', {
    body: { name: `${role}-${workspaces.join('-')}`, role, workspaces },
    headers: ADMIN_BEARER,
  })
  expect(res.status).toBe(201)
  const { token } = await res.json()
  return { authorization: `Bearer ${token}` }
}

async function portal(gw: TeamGateway, headers: Record<string, string>, workspace?: string) {
  return gw.call(`/admin/v1/portal${workspace ? `?workspace=${workspace}` : ''}`, { headers })
}

describe('GET /admin/v1/portal', () => {
  it("lists a route restricted to a workspace for it and not for another, with the workspace's keys", async () => {
    const gw = await start()
    const alpha = (await (await portal(gw, ADMIN_BEARER, 'alpha')).json()) as PortalAnswer
    const beta = (await (await portal(gw, ADMIN_BEARER, 'beta')).json()) as PortalAnswer
    const ids = (a: PortalAnswer) => a.items.map((i) => i.id)
    expect(ids(alpha)).toEqual(
      expect.arrayContaining([
        'everyone',
        'alpha-route',
        'mock/gpt-a',
        'mock/gpt-b',
        'alphaonly/gpt-x',
        'prompt:greet',
      ]),
    )
    expect(ids(beta)).toEqual(expect.arrayContaining(['everyone', 'mock/gpt-a']))
    // A prompt endpoint is listed for its own workspace only: no other workspace's key may run it.
    expect(ids(beta)).not.toContain('prompt:greet')
    expect(ids(beta)).not.toContain('alpha-route')
    expect(ids(beta)).not.toContain('alphaonly/gpt-x')

    expect(alpha.workspace).toEqual({ id: 'alpha', name: 'Alpha' })
    expect(alpha.keys).toEqual([
      {
        name: 'key-a',
        models: ['everyone', 'mock/*'],
        limits: { rpm: 60 },
        budget: { usd: 5, period: 'day' },
        expiresAt: null,
      },
    ])
    expect(beta.keys.map((k) => k.name)).toEqual(['key-b'])

    const everyone = alpha.items.find((i) => i.id === 'everyone')!
    expect(everyone).toMatchObject({
      kind: 'route',
      model: 'everyone',
      price: { inputPerMtokUsd: 3, outputPerMtokUsd: 15, source: 'config' },
      contextWindow: 64000,
      keys: ['key-a'],
    })
    // key-a's globs allow `everyone` and mock/*, not alpha-route: the UI offers to request access there.
    expect(alpha.items.find((i) => i.id === 'alpha-route')!.keys).toEqual([])
    expect(alpha.items.find((i) => i.id === 'prompt:greet')).toMatchObject({
      endpoint: '/v1/prompts/greet/run',
      model: 'mock/gpt-a',
      keys: ['key-a'],
    })
  })

  it('builds snippets from the origin the caller used, with a placeholder and never a key', async () => {
    const gw = await start()
    const answer = (await (await portal(gw, ADMIN_BEARER, 'alpha')).json()) as PortalAnswer
    expect(answer.baseUrl).toBe(gw.url)
    const route = answer.items.find((i) => i.id === 'everyone')!
    expect(route.snippets.map((s) => s.id)).toEqual([
      'curl',
      'openai-python',
      'openai-js',
      'anthropic-python',
      'anthropic-js',
      'claude-code',
      'codex',
    ])
    const code = (id: string) => route.snippets.find((s) => s.id === id)!.code
    expect(code('curl')).toContain(`${gw.url}/v1/chat/completions`)
    expect(code('claude-code')).toContain(`export ANTHROPIC_BASE_URL='${gw.url}'`)
    expect(code('claude-code')).toContain("export ANTHROPIC_MODEL='everyone'")
    expect(code('claude-code')).toContain("ANTHROPIC_AUTH_TOKEN='<your key>'")
    expect(code('codex')).toContain('[model_providers.switchyard]')
    expect(code('codex')).toContain(`base_url = "${gw.url}/v1"`)
    const prompt = answer.items.find((i) => i.id === 'prompt:greet')!
    expect(prompt.snippets.map((s) => s.id)).toEqual(['curl', 'openai-python', 'openai-js'])
    const text = JSON.stringify(answer)
    for (const secret of [KEY_A, KEY_B]) expect(text).not.toContain(secret)
  })

  it("answers a developer about their own workspaces only: their first by default, another's is 403", async () => {
    const gw = await start()
    const dev = await serviceAccount(gw, 'developer', ['beta'])
    const mine = await portal(gw, dev)
    expect(mine.status).toBe(200)
    const body = (await mine.json()) as PortalAnswer
    expect(body.workspace.id).toBe('beta')
    expect(body.workspaces).toEqual([{ id: 'beta', name: 'Beta' }])
    expect(body.items.map((i) => i.id)).not.toContain('alpha-route')

    for (const ws of ['alpha', 'nonexistent']) {
      const other = await portal(gw, dev, ws)
      expect(other.status).toBe(403)
      expect((await other.json()).error.code).toBe('forbidden')
    }
    const viewer = await serviceAccount(gw, 'viewer', ['alpha'])
    const seen = (await (await portal(gw, viewer)).json()) as PortalAnswer
    expect(seen.items.map((i) => i.id)).toContain('alpha-route')
  })

  it('lets an owner pick any workspace and rejects a malformed one', async () => {
    const gw = await start()
    const answer = (await (await portal(gw, ADMIN_BEARER)).json()) as PortalAnswer
    expect(answer.workspace.id).toBe('default')
    expect(answer.workspaces.map((w) => w.id)).toEqual(['default', 'alpha', 'beta'])
    expect((await portal(gw, ADMIN_BEARER, 'Not%20An%20Id')).status).toBe(400)
  })
})
