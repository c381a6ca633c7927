import { readFile } from 'node:fs/promises'
import { expect, type Page, test } from '@playwright/test'
import { startGatewayWithMock, watchConsole } from '../helpers/e2e-gateway'
import { signIn } from '../helpers/ui-checks'

// The web UI behind the admin token: the sign-in page, the printed one-time link, sign-out, and the UI's own
// model calls (Playground, prompt runs) once client keys exist.

const CLIENT_KEY = 'sk-sy-e2e-client-0123456789abcdef'

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

const running = startGatewayWithMock(
  (mockUrl) => `
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1" }
keys:
  - { name: cli, key: "\${env:SY_E2E_CLIENT_KEY}" }
`,
  { SY_E2E_CLIENT_KEY: CLIENT_KEY },
)

const signInPage = (page: Page) => page.getByRole('heading', { level: 1, name: 'Sign in' })
const overview = (page: Page) => page.getByRole('heading', { level: 1, name: 'Overview' })

test('without a session, / shows the sign-in page and no app page', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto(running.gateway.baseUrl)
  await expect(signInPage(page)).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0)
  await expect(page.getByText('admin-token')).toBeVisible()
  // A hash route does not get past it either.
  await page.goto(`${running.gateway.baseUrl}/#/logs`)
  await expect(signInPage(page)).toBeVisible()
  await page.screenshot({ path: 'test-results/sign-in.png' })
  expect(errors).toEqual([])
})

test('a wrong token is refused with a message; the token from the data folder signs in', async ({ page }) => {
  const errors = watchConsole(page, /401.*\/auth\/login/)
  await page.goto(running.gateway.baseUrl)
  await page.getByLabel('Admin token').fill('not-the-token')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toHaveText(/not this gateway’s admin token/)
  await expect(signInPage(page)).toBeVisible()
  await page.screenshot({ path: 'test-results/sign-in-wrong-token.png' })

  await page.getByLabel('Admin token').fill(running.gateway.adminToken)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(overview(page)).toBeVisible()
  // The session survives a reload (it is a cookie, not page state).
  await page.reload()
  await expect(overview(page)).toBeVisible()
  expect(errors).toEqual([])
})

test('the link serve printed signs in once and never again', async ({ browser }) => {
  const loginUrl = running.gateway.takeLoginUrl()
  expect(loginUrl).toMatch(/\/auth\/login\?code=/)

  const first = await browser.newContext()
  const page = await first.newPage()
  const errors = watchConsole(page)
  await page.goto(loginUrl!)
  await expect(overview(page)).toBeVisible()
  const cookie = (await first.cookies()).find((c) => c.name === 'switchyard_session')
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
  expect(errors).toEqual([])
  await first.close()

  // Someone who finds the link later (shell history, a screenshot) gets no session from it.
  const second = await browser.newContext()
  const again = await second.newPage()
  await again.goto(loginUrl!)
  await expect(signInPage(again)).toBeVisible()
  await expect(again.getByRole('alert')).toHaveText(/already used or has expired/)
  await again.screenshot({ path: 'test-results/sign-in-spent-link.png' })
  await again.goto(running.gateway.baseUrl)
  await expect(signInPage(again)).toBeVisible()
  expect((await second.cookies()).find((c) => c.name === 'switchyard_session')).toBeUndefined()
  await second.close()
})

test('sign out ends the session', async ({ page }) => {
  const errors = watchConsole(page)
  await signIn(page, running.gateway)
  // The Overview's own calls finish first: answered after the sign-out, they would be refused.
  await page.waitForLoadState('networkidle')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(signInPage(page)).toBeVisible()
  await page.reload()
  await expect(signInPage(page)).toBeVisible()
  // The admin API refuses the browser's cookie-less calls now.
  const status = await page.evaluate(async () => (await fetch('/admin/v1/info')).status)
  expect(status).toBe(401)
  expect(errors.filter((e) => !/401.*\/admin\/v1\/info/.test(e))).toEqual([])
})

test('a session that ends while the app is open brings back the sign-in page', async ({ page }) => {
  // The one refused call that tells the app its session is over.
  const errors = watchConsole(page, /401.*\/admin\/v1\//)
  await signIn(page, running.gateway)
  // Ended elsewhere (another tab signed out, or the gateway restarted and forgot its sessions).
  expect((await page.request.post(`${running.gateway.baseUrl}/auth/logout`)).status()).toBe(204)
  // The next admin call the open app makes (moving to Logs, or the status poll, whichever comes first) is refused.
  await page.evaluate(() => {
    window.location.hash = '#/logs'
  })
  await expect(signInPage(page)).toBeVisible()
  await expect(page.getByRole('alert')).toHaveText('Your session ended. Sign in again.')
  await page.getByLabel('Admin token').fill(running.gateway.adminToken)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Logs' })).toBeVisible()
  expect(errors).toEqual([])
})

test('with client keys configured, the Playground and a prompt run answer the signed-in UI', async ({ page }) => {
  // The model API is closed to callers without a key...
  const bare = await fetch(`${running.gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(bare.status).toBe(401)
  // ...and the prompt the UI runs is made through the admin API with the token.
  const saved = await fetch(`${running.gateway.baseUrl}/admin/v1/prompts/greet/versions`, {
    method: 'POST',
    headers: { ...running.gateway.adminHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'Say hi to {{name}}' }] }),
  })
  expect(saved.status).toBeLessThan(300)

  const errors = watchConsole(page)
  await signIn(page, running.gateway)
  await page.goto(`${running.gateway.baseUrl}/#/playground`)
  await page.getByLabel('Model or route').selectOption('mock/mock-gpt')
  await page.getByLabel('Message', { exact: true }).fill('hello through the session')
  await page.getByRole('button', { name: 'Send' }).click()
  const reply = page.getByTestId('pg-reply').last()
  await expect(reply).toContainText('Echo: hello through the session')
  await expect(reply).toHaveAttribute('data-state', 'done')

  await page.goto(`${running.gateway.baseUrl}/#/prompts`)
  await page.getByTestId('prompt-item').filter({ hasText: 'greet' }).click()
  await page.getByLabel('name', { exact: true }).fill('Ada')
  await page.getByRole('button', { name: /^Run/ }).click()
  await expect(page.getByTestId('prompt-output')).toContainText('Echo: Say hi to Ada')

  // A download is a navigation, not a fetch: the session cookie alone carries it.
  await page.goto(`${running.gateway.baseUrl}/#/logs`)
  await expect(page.getByTestId('log-row').first()).toBeVisible()
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'CSV' }).click(),
  ])
  expect(download.suggestedFilename()).toMatch(/\.csv$/)
  expect(await readFile((await download.path())!, 'utf8')).toContain('mock-gpt')
  expect(errors).toEqual([])
})
