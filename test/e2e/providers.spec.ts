import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'
import { type RunningMock, sendJson, startScriptedUpstream } from '../helpers/upstreams'

// Providers & models as a user reads it: counts in words that agree with the number, and the local
// servers panel saying why it is empty when the start-up scan is switched off.

let solo: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
failOnConsoleErrors()

test.beforeAll(async () => {
  solo = await startScriptedUpstream({
    'GET /v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'solo-1', object: 'model' }] }),
  })
  gateway = await startServe(`
providers:
  solo: { type: openai-compatible, baseUrl: "${solo.url}/v1" }
discovery: { enabled: false }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await solo?.stop()
})

test('one model is "1 model"; discovery switched off says so instead of "no local server found"', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/providers`)
  await expect(page.getByRole('heading', { level: 1, name: 'Providers & models' })).toBeVisible()
  const meta = page.locator('.provider-meta').first()
  await expect(meta).toContainText('1 model ·')
  await expect(meta).not.toContainText('models')

  const local = page.getByRole('region', { name: 'Local servers on this machine' })
  await expect(local).toContainText('Discovery at start is off')
  await expect(local).not.toContainText('No local server found')
  await expect(local.getByRole('button', { name: '⟳ Scan now' })).toBeEnabled()
  await shot(page, 'providers-discovery-off')
})
