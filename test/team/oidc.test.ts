import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js'

// Single sign-on against a real OpenID provider (panva's oidc-provider, in-process): the gateway's
// /auth/oidc/start and /callback, driven by an HTTP client that keeps each site's cookies and submits the
// provider's development login and consent pages, as a browser would.

const SECRET_ENV = 'SY_TEST_OIDC_SECRET'

/** One browser: cookies per host, redirects followed by hand so each hop can be inspected. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>()

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name)
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host
    if (!this.jar.has(host)) this.jar.set(host, new Map())
    this.jar.get(host)!.set(name, value)
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const host = new URL(url).host
    const cookies = [...(this.jar.get(host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(cookies ? { cookie: cookies } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (!this.jar.has(host)) this.jar.set(host, new Map())
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (expired || value === '') this.jar.get(host)!.delete(name)
      else this.jar.get(host)!.set(name, value)
    }
    return res
  }

  /**
   * Follows redirects and submits the provider's forms (login with `login` as the subject, then consent) until
   * a redirect points at a URL `stop` accepts, which is returned unvisited.
   */
  async until(start: string, stop: (url: URL) => boolean, login: string): Promise<URL> {
    let url = new URL(start)
    let init: { method?: string; form?: Record<string, string> } = {}
    for (let hop = 0; hop < 30; hop++) {
      const res = await this.request(url.href, init)
      init = {}
      const location = res.headers.get('location')
      if (location) {
        url = new URL(location, url)
        if (stop(url)) return url
        continue
      }
      const html = await res.text()
      expect(res.status, html).toBe(200)
      const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/.exec(html)
      if (!form) throw new Error(`no form at ${url.href}: ${html.slice(0, 300)}`)
      const fields: Record<string, string> = {}
      for (const m of form[2].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
        fields[m[1]] = m[2]
      }
      if (form[2].includes('name="login"')) Object.assign(fields, { login, password: 'any-password' })
      url = new URL(form[1].replaceAll('&amp;', '&'), url)
      init = { method: 'POST', form: fields }
    }
    throw new Error('too many hops')
  }
}

interface Gateway {
  app: FastifyInstance
  url: string
  logLines: string[]
  dataDir: string
  close(): Promise<void>
}

async function startGateway(provider: TestProvider, oidcExtra = ''): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-oidc-'))
  const logLines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk))
      done()
    },
  })
  const yaml = `
auth:
  mode: team
  oidc:
    issuer: ${provider.issuer}
    clientId: ${provider.clientId}
    clientSecret: "\${env:${SECRET_ENV}}"
    label: Sign in with Test IdP
    roles: { sy-owners: owner, sy-admins: admin, sy-devs: developer }
    workspaces: { team-ml: ml, team-web: [web, shared] }
${oidcExtra}
workspaces:
  ml: { name: ML }
  web: { name: Web }
  shared: { name: Shared }
`
  const config = parseConfig(yaml, 'yaml', { [SECRET_ENV]: provider.clientSecret })
  // The most verbose log the gateway can write: no level may carry a token.
  const app = buildGateway(config, { webRoot: false, dataDir, logger: { level: 'trace', stream } })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  provider.addRedirectUri(`${url}/auth/oidc/callback`)
  return {
    app,
    url,
    logLines,
    dataDir,
    close: async () => {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

let provider: TestProvider
let gw: Gateway

beforeAll(async () => {
  provider = await startOidcProvider()
  gw = await startGateway(provider)
})
afterAll(async () => {
  await gw?.close()
  await provider?.stop()
})

const atCallback = (url: URL) => url.pathname === '/auth/oidc/callback'

async function session(browser: Browser) {
  const res = await browser.request(`${gw.url}/auth/session`)
  return (await res.json()) as {
    mode: string
    authenticated: boolean
    principal?: { kind: string; name: string; role: string; workspaces: string[] | 'all' }
    sso?: { label: string } | null
  }
}

/** Signs `login` in through the provider; returns where the gateway's callback sent the browser. */
async function signIn(browser: Browser, login: string): Promise<string> {
  const callback = await browser.until(`${gw.url}/auth/oidc/start`, atCallback, login)
  const res = await browser.request(callback.href)
  expect(res.status).toBe(302)
  return res.headers.get('location') ?? ''
}

const members = async () => {
  const res = await fetch(`${gw.url}/admin/v1/team/members`, {
    headers: { authorization: `Bearer ${gw.app.adminToken}` },
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { items: { email: string; role: string; workspaces: string[]; source: string }[] })
    .items
}

/** The audit trail's entries of one action (the admin token reads all), newest first. */
const audited = async (action: string) => {
  const res = await fetch(`${gw.url}/admin/v1/audit?action=${action}`, {
    headers: { authorization: `Bearer ${gw.app.adminToken}` },
  })
  expect(res.status).toBe(200)
  return (
    (await res.json()) as { items: { actor: string; actorName?: string; diff: { path: string; after?: unknown }[] }[] }
  ).items
}

describe('single sign-on through a real OpenID provider', () => {
  it('the session answer offers the SSO button with its label', async () => {
    const s = await session(new Browser())
    expect(s).toMatchObject({ mode: 'team', authenticated: false, sso: { label: 'Sign in with Test IdP' } })
  })

  it('start sends the browser to the provider with PKCE S256, state and nonce, and a Lax flow cookie', async () => {
    const res = await new Browser().request(`${gw.url}/auth/oidc/start`)
    expect(res.status).toBe(302)
    const to = new URL(res.headers.get('location') ?? '')
    expect(to.origin).toBe(provider.issuer)
    expect(to.searchParams.get('code_challenge_method')).toBe('S256')
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{20,}$/)
    expect(to.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/)
    expect(to.searchParams.get('redirect_uri')).toBe(`${gw.url}/auth/oidc/callback`)
    expect(to.searchParams.get('scope')).toBe('openid email profile')
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('switchyard_oidc_flow='))
    expect(cookie).toMatch(/; HttpOnly; SameSite=Lax; Path=\/auth\/oidc/)
  })

  it('creates the account on first sign-in with the mapped role and workspaces, and signs it in', async () => {
    provider.people.set('bob', { email: 'Bob@Example.com', name: 'Bob Builder', groups: ['sy-devs', 'team-ml', 'x'] })
    const browser = new Browser()
    expect(await signIn(browser, 'bob')).toBe('/')
    expect(browser.cookie(gw.url, 'switchyard_session')).toBeDefined()
    const s = await session(browser)
    expect(s.authenticated).toBe(true)
    expect(s.principal).toMatchObject({ kind: 'person', name: 'Bob Builder', role: 'developer', workspaces: ['ml'] })
    expect((await members()).find((m) => m.email === 'bob@example.com')).toMatchObject({
      role: 'developer',
      workspaces: ['ml'],
      source: 'sso',
    })
    expect((await audited('auth.sign-in'))[0]).toMatchObject({
      actor: expect.stringMatching(/^person:/),
      actorName: 'Bob Builder',
      diff: [{ path: 'via', after: 'sso' }],
    })
  })

  it('follows the claims on the next sign-in: the most powerful role wins, workspaces are replaced', async () => {
    provider.people.set('bob', { email: 'bob@example.com', name: 'Bob', groups: ['sy-devs', 'sy-admins', 'team-web'] })
    const browser = new Browser()
    expect(await signIn(browser, 'bob')).toBe('/')
    const bob = (await members()).filter((m) => m.email === 'bob@example.com')
    expect(bob).toHaveLength(1)
    expect(bob[0]).toMatchObject({ role: 'admin', workspaces: ['shared', 'web'] })
    expect((await session(browser)).principal).toMatchObject({ role: 'admin' })
  })

  it('refuses a person no mapping matches, saying why, and creates no account', async () => {
    provider.people.set('carol', { email: 'carol@example.com', name: 'Carol', groups: ['marketing'] })
    const browser = new Browser()
    expect(await signIn(browser, 'carol')).toBe('/?signin=sso-failed&reason=no_role')
    expect(browser.cookie(gw.url, 'switchyard_session')).toBeUndefined()
    expect((await session(browser)).authenticated).toBe(false)
    expect((await members()).some((m) => m.email === 'carol@example.com')).toBe(false)
  })

  it('refuses an address the provider has not verified', async () => {
    provider.people.set('dan', { email: 'dan@example.com', name: 'Dan', groups: ['sy-owners'], emailVerified: false })
    expect(await signIn(new Browser(), 'dan')).toBe('/?signin=sso-failed&reason=email_unverified')
    expect((await members()).some((m) => m.email === 'dan@example.com')).toBe(false)
  })

  it('refuses a callback whose state was tampered with, and the flow is spent', async () => {
    provider.people.set('eve', { email: 'eve@example.com', name: 'Eve', groups: ['sy-owners'] })
    const browser = new Browser()
    const callback = await browser.until(`${gw.url}/auth/oidc/start`, atCallback, 'eve')
    const tampered = new URL(callback)
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`)
    const res = await browser.request(tampered.href)
    expect(res.headers.get('location')).toBe('/?signin=sso-failed&reason=state_mismatch')
    expect(browser.cookie(gw.url, 'switchyard_session')).toBeUndefined()
    // The genuine callback after a failed one finds no flow: one attempt per flow.
    const again = await browser.request(callback.href)
    expect(again.headers.get('location')).toBe('/?signin=sso-failed&reason=expired')
    expect((await members()).some((m) => m.email === 'eve@example.com')).toBe(false)
  })

  it('refuses a replayed callback, even with the flow cookie it came with', async () => {
    provider.people.set('fay', { email: 'fay@example.com', name: 'Fay', groups: ['sy-devs'] })
    const browser = new Browser()
    const callback = await browser.until(`${gw.url}/auth/oidc/start`, atCallback, 'fay')
    const flowId = browser.cookie(gw.url, 'switchyard_oidc_flow') ?? ''
    expect(flowId).not.toBe('')
    const first = await browser.request(callback.href)
    expect(first.headers.get('location')).toBe('/')
    const replay = new Browser()
    replay.setCookie(gw.url, 'switchyard_oidc_flow', flowId)
    const res = await replay.request(callback.href)
    expect(res.headers.get('location')).toBe('/?signin=sso-failed&reason=expired')
    expect(replay.cookie(gw.url, 'switchyard_session')).toBeUndefined()
  })

  it('refuses a callback delivered to a browser that did not start the flow (login CSRF)', async () => {
    provider.people.set('gus', { email: 'gus@example.com', name: 'Gus', groups: ['sy-devs'] })
    const callback = await new Browser().until(`${gw.url}/auth/oidc/start`, atCallback, 'gus')
    const victim = new Browser()
    const res = await victim.request(callback.href)
    expect(res.headers.get('location')).toBe('/?signin=sso-failed&reason=expired')
    expect(victim.cookie(gw.url, 'switchyard_session')).toBeUndefined()
  })

  it("lands on the sign-in page with the provider's refusal", async () => {
    const browser = new Browser()
    const start = await browser.request(`${gw.url}/auth/oidc/start`)
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? ''
    const url = new URL(`${gw.url}/auth/oidc/callback`)
    url.search = new URLSearchParams({ error: 'access_denied', state, iss: provider.issuer }).toString()
    const res = await browser.request(url.href)
    expect(res.headers.get('location')).toBe('/?signin=sso-failed&reason=idp_error')
  })

  it('never takes over a local account with the same address', async () => {
    const created = await fetch(`${gw.url}/admin/v1/team/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'local@example.com',
        name: 'Local',
        role: 'viewer',
        workspaces: [],
        password: 'a-long-local-password',
      }),
    })
    expect(created.status).toBe(201)
    provider.people.set('impostor', { email: 'local@example.com', name: 'Impostor', groups: ['sy-owners'] })
    const browser = new Browser()
    expect(await signIn(browser, 'impostor')).toBe('/?signin=sso-failed&reason=email_taken')
    expect(browser.cookie(gw.url, 'switchyard_session')).toBeUndefined()
    expect((await members()).filter((m) => m.email === 'local@example.com')).toMatchObject([
      { role: 'viewer', source: 'local' },
    ])
    expect((await audited('auth.sign-in-failed'))[0]).toMatchObject({
      actor: 'anonymous',
      actorName: 'local@example.com',
      diff: [
        { path: 'attempts', after: 1 },
        { path: 'reasons.sso_email_taken', after: 1 },
      ],
    })
  })

  it('writes no token, code or client secret to the log or the database', async () => {
    provider.people.set('hal', { email: 'hal@example.com', name: 'Hal', groups: ['sy-devs'] })
    const browser = new Browser()
    const callback = await browser.until(`${gw.url}/auth/oidc/start`, atCallback, 'hal')
    const code = callback.searchParams.get('code') ?? ''
    expect(code.length).toBeGreaterThan(20)
    expect(await (await browser.request(callback.href)).headers.get('location')).toBe('/')
    await gw.app.close()
    const secrets = [code, provider.clientSecret, ...provider.issued]
    const files = readdirSync(gw.dataDir, { withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(gw.dataDir, f.name)).toString('latin1'))
    const log = gw.logLines.join('\n')
    expect(log).toContain('single sign-on failed')
    for (const text of [...files, log]) {
      for (const s of secrets) expect(text.includes(s), `a secret (${s.slice(0, 6)}…) was written`).toBe(false)
      // No JWT (ID token) of any kind.
      expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./)
    }
    gw = await startGateway(provider)
  })
})

describe('single sign-on with a default role', () => {
  let withDefault: Gateway
  beforeAll(async () => {
    withDefault = await startGateway(provider, '    defaultRole: viewer')
  })
  afterAll(async () => {
    await withDefault?.close()
  })

  it('signs a person no mapping matches in with the default role and no workspace', async () => {
    provider.people.set('ida', { email: 'ida@example.com', name: 'Ida', groups: ['marketing'] })
    const browser = new Browser()
    const callback = await browser.until(`${withDefault.url}/auth/oidc/start`, atCallback, 'ida')
    const res = await browser.request(callback.href)
    expect(res.headers.get('location')).toBe('/')
    const s = (await (await browser.request(`${withDefault.url}/auth/session`)).json()) as {
      principal?: { role: string; workspaces: unknown }
    }
    expect(s.principal).toMatchObject({ role: 'viewer', workspaces: [] })
  })
})

describe('single sign-on while the provider is down', () => {
  let fresh: Gateway
  beforeAll(async () => {
    fresh = await startGateway(provider)
  })
  afterAll(async () => {
    provider.setDown(false)
    await fresh?.close()
  })

  it('lands on the sign-in page saying so, and reads the provider again once it is back', async () => {
    provider.setDown(true)
    const failed = await new Browser().request(`${fresh.url}/auth/oidc/start`)
    expect(failed.status).toBe(302)
    expect(failed.headers.get('location')).toBe('/?signin=sso-failed&reason=provider_unreachable')
    expect(fresh.logLines.join('\n')).toContain('single sign-on failed')
    provider.setDown(false)
    const started = await new Browser().request(`${fresh.url}/auth/oidc/start`)
    expect(new URL(started.headers.get('location') ?? '').origin).toBe(provider.issuer)
  })
})

describe('single sign-on configuration', () => {
  const oidcYaml = (secret: string, mode = 'team') => `
auth:
  mode: ${mode}
  oidc: { issuer: "https://sso.example.com", clientId: switchyard, clientSecret: "${secret}" }
`

  it('refuses a client secret written in the config: only a reference is accepted', () => {
    expect(() => parseConfig(oidcYaml('plain-secret-value'), 'yaml', {})).toThrow(/clientSecret/)
  })

  it('resolves the reference in the client secret, as in any credential field', () => {
    const loaded = parseConfig(oidcYaml('${env:OIDC_SECRET}'), 'yaml', { OIDC_SECRET: 'resolved-secret' })
    expect(loaded.resolved.auth?.oidc?.clientSecret).toBe('resolved-secret')
    expect(loaded.raw.auth?.oidc?.clientSecret).toBe('${env:OIDC_SECRET}')
  })

  it('does nothing in solo mode: start lands on the sign-in page and the session answer offers no button', async () => {
    const app = buildGateway(parseConfig(oidcYaml('${env:OIDC_SECRET}', 'solo'), 'yaml', { OIDC_SECRET: 'x' }), {
      webRoot: false,
    })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      const res = await fetch(`${url}/auth/oidc/start`, { redirect: 'manual' })
      expect(res.headers.get('location')).toBe('/?signin=sso-failed&reason=not_configured')
      expect(await (await fetch(`${url}/auth/session`)).json()).not.toHaveProperty('sso')
    } finally {
      await app.close()
    }
  })
})
