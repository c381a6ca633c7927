import { expect, type Page, type Request, test } from '@playwright/test'
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider'
import { type ServeProcess, startServe } from '../helpers/serve-process'

// Single sign-on in a real browser: the gateway (served on 127.0.0.1) sends the browser to a real OpenID provider
// on another site (localhost), whose login and consent pages a person fills in, and back. The session cookie is
// SameSite=Strict and set on a callback reached through a cross-site redirect chain: these tests prove the app
// still finds the session once it has loaded.

let provider: TestProvider
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  provider = await startOidcProvider()
  provider.people.set('olivia', { email: 'olivia@example.com', name: 'Olivia Owner', groups: ['sy-owners'] })
  provider.people.set('dev', { email: 'dev@example.com', name: 'Dana Dev', groups: ['sy-devs', 'team-ml'] })
  // serve resolves the reference from its environment, as a deployment would.
  process.env.SY_E2E_OIDC_SECRET = provider.clientSecret
  // Started solo and turned into a team from the admin API, as Settings does: the team then has a local owner, and
  // single sign-on (configured from the start) is offered once team mode is on.
  gateway = await startServe(`
auth:
  mode: solo
  oidc:
    issuer: ${provider.issuer}
    clientId: ${provider.clientId}
    clientSecret: "\${env:SY_E2E_OIDC_SECRET}"
    label: Sign in with Test IdP
    roles: { sy-owners: owner, sy-devs: developer }
    workspaces: { team-ml: ml }
workspaces:
  ml: { name: ML }
`)
  provider.addRedirectUri(`${gateway.baseUrl}/auth/oidc/callback`)
  const enabled = await fetch(`${gateway.baseUrl}/admin/v1/team/enable`, {
    method: 'POST',
    headers: { ...gateway.adminHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'first@example.com', name: 'First Owner', password: 'a-long-owner-password' }),
  })
  expect(enabled.status).toBeLessThan(300)
})
test.afterAll(async () => {
  await gateway?.stop()
  await provider?.stop()
})

const overview = (page: Page) => page.getByRole('heading', { level: 1, name: 'Overview' })

/** Fills in the provider's development login page, then its consent page. */
async function signInAtProvider(page: Page, login: string) {
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`))
  await page.getByPlaceholder('Enter any login').fill(login)
  await page.getByPlaceholder('and password').fill('any-password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.getByRole('button', { name: 'Continue' }).click()
}

/** The `Cookie` header of each request the page makes to the gateway, by path, in order. */
function watchGatewayCookies(page: Page): { path: string; cookie: string; navigation: boolean }[] {
  const seen: { path: string; cookie: string; navigation: boolean }[] = []
  page.on('request', async (req: Request) => {
    if (!req.url().startsWith(gateway.baseUrl)) return
    const cookie = (await req.allHeaders()).cookie ?? ''
    seen.push({ path: new URL(req.url()).pathname, cookie, navigation: req.isNavigationRequest() })
  })
  return seen
}

test('a person the provider maps to owner clicks the SSO button and lands on Overview', async ({ page }) => {
  const seen = watchGatewayCookies(page)
  await page.goto(gateway.baseUrl)
  const button = page.getByRole('link', { name: /Sign in with Test IdP/ })
  await expect(button).toBeVisible()
  await page.screenshot({ path: 'test-results/sso-sign-in-button.png' })
  await button.click()
  await signInAtProvider(page, 'olivia')
  await expect(page.getByRole('button', { name: /Olivia Owner/ })).toBeVisible()
  await expect(overview(page)).toBeVisible()
  expect(new URL(page.url()).origin).toBe(gateway.baseUrl)
  // The app's own calls after the cross-site redirect chain carry the Strict session cookie.
  expect(seen.filter((r) => r.path === '/auth/session').at(-1)?.cookie).toMatch(/switchyard_session=/)
  // And a reload (a same-site navigation) stays signed in.
  await page.reload()
  await expect(overview(page)).toBeVisible()
  await page.screenshot({ path: 'test-results/sso-owner-overview.png' })
})

test("a member clicks the sign-in page's SSO button and lands on Overview as a developer", async ({ page }) => {
  const seen = watchGatewayCookies(page)
  await page.goto(gateway.baseUrl)
  await page.getByRole('link', { name: /Sign in with Test IdP/ }).click()
  await signInAtProvider(page, 'dev')
  await expect(page.getByRole('button', { name: /Dana Dev/ })).toBeVisible()
  await expect(overview(page)).toBeVisible()
  // The document navigation that ended the redirect chain began at another site: Chromium sends it no Strict
  // cookie; the page's own same-site calls that follow do, which is why the app still finds the session.
  const landing = seen.findLast((r) => r.navigation && r.path === '/')
  expect(landing).toBeDefined()
  expect(landing?.cookie).not.toMatch(/switchyard_session=/)
  expect(seen.filter((r) => r.path === '/auth/session').at(-1)?.cookie).toMatch(/switchyard_session=/)
  const session = await page.evaluate(async () => (await fetch('/auth/session')).json())
  expect(session).toMatchObject({
    authenticated: true,
    principal: { name: 'Dana Dev', role: 'developer', workspaces: ['ml'] },
  })
})

test('a person no mapping matches is back on the sign-in page with the reason', async ({ page }) => {
  provider.people.set('mallory', { email: 'mallory@example.com', name: 'Mallory', groups: ['marketing'] })
  await page.goto(gateway.baseUrl)
  await page.getByRole('link', { name: /Sign in with Test IdP/ }).click()
  await signInAtProvider(page, 'mallory')
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible()
  await expect(page.getByRole('alert')).toContainText('Single sign-on did not sign you in')
  await expect(overview(page)).toHaveCount(0)
})
