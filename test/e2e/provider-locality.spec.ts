import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, sendJson, startScriptedUpstream } from '../helpers/upstreams'

// Whether a provider is local (free, counted as local in Overview) is its own setting, chosen in the
// Providers form: an OpenAI-compatible server on this machine is local by default, and can be made cloud.

let upstream: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
failOnConsoleErrors()

test.beforeAll(async () => {
  upstream = await startScriptedUpstream({
    'GET /v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'm-1', object: 'model' }] }),
  })
  gateway = await startServe(`
providers:
  studio: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }
discovery: { enabled: false }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await upstream?.stop()
})

test('a provider is made cloud (priced) or local in its form, and back to its type default', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/providers`)
  const card = page.locator('[data-provider="studio"]')
  const badge = card.locator('.provider-title .badge').last()
  await expect(badge).toHaveText('local')

  const setLocality = async (option: string) => {
    await card.getByRole('button', { name: 'Edit' }).click()
    const counted = page.getByLabel('Counted as')
    await counted.selectOption({ label: option })
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect(counted).toBeHidden()
  }

  await setLocality('Cloud: priced')
  await expect(badge).toHaveText('cloud')
  const priced = await fetch(`${gateway.baseUrl}/admin/v1/providers/studio`, { headers: gateway.adminHeaders })
  expect(await priced.json()).toMatchObject({ local: false, localSetting: false })

  // The form shows the setting as it is, and going back to the default makes it local again.
  await card.getByRole('button', { name: 'Edit' }).click()
  await expect(page.getByLabel('Counted as')).toHaveValue('cloud')
  await page.getByRole('button', { name: 'Cancel' }).click()
  await setLocality('Default for the type')
  await expect(badge).toHaveText('local')
})
