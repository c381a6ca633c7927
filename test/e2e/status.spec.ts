import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'

let gateway: ServeProcess

test.beforeAll(async () => {
  gateway = await startServe(`
providers:
  local: { type: ollama, baseUrl: "http://127.0.0.1:9" }
  cloud: { type: openai, apiKey: "\${env:SWITCHYARD_E2E_UNSET_KEY}" }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
})

test('the web UI shows the live gateway status', async ({ page }) => {
  await signIn(page, gateway)
  await expect(page.getByTestId('health')).toHaveText('Healthy')
  await expect(page.getByTestId('endpoint')).toHaveText(`${gateway.baseUrl}/v1`)
  await expect(page.getByTestId('version')).toHaveText(/^\d+\.\d+\.\d+$/)
  const providers = page.getByRole('table', { name: 'Providers' })
  await expect(providers.getByRole('row')).toHaveCount(3)
  await expect(providers).toContainText('http://127.0.0.1:9')
  await expect(providers.getByRole('row', { name: /cloud/ })).toContainText('openai')
  await page.screenshot({ path: 'test-results/status.png', fullPage: true })
})
