import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Compare's rough edges as a user meets them: three local models at $0 (no "cheapest" for one of
// them), panes narrow enough that the footer wraps (Good and Bad stay together), the first matrix
// run after a side-by-side one, and the matrix setup's fieldsets.

let mock: RunningMock
let gateway: ServeProcess

// 1100 px: three panes at their 360 px minimum, so each pane's footer has to wrap.
test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1100, height: 800 }, reducedMotion: 'reduce' })
failOnConsoleErrors()

test.beforeAll(async () => {
  mock = await startMockUpstream()
  // A loopback upstream with no pricing: every answer costs $0.
  gateway = await startServe(`
providers:
  local: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
discovery: { enabled: false }
`)
  const res = await fetch(`${gateway.baseUrl}/admin/v1/prompts/greet/versions`, {
    method: 'POST',
    headers: { ...gateway.adminHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi {{name}}' }], model: 'local/mock-gpt' }),
  })
  expect(res.status).toBeLessThan(300)
})
test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

test('a $0 tie gives no "cheapest"; Good and Bad stay on one line; the first matrix run is run 1', async ({ page }) => {
  const models = ['local/mock-gpt', 'local/mock-gpt-mini', 'local/mock-gpt-2']
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/compare`)
  for (const m of models) {
    await page.getByLabel('Add model', { exact: true }).fill(m)
    await page.getByLabel('Add model', { exact: true }).press('Enter')
  }
  await page.getByLabel('Shared input').fill('hello all')
  await page.getByRole('button', { name: 'Send to all' }).click()
  const panes = page.getByTestId('compare-pane')
  await expect(panes).toHaveCount(3)
  for (const m of models) {
    const pane = page.locator(`[data-testid=compare-pane][data-model="${m}"]`)
    await expect(pane).toHaveAttribute('data-state', 'done')
    await expect(pane.getByTestId('pane-cost')).toHaveAttribute('data-value', '0')
    const good = (await pane.getByRole('button', { name: `Good answer from ${m}` }).boundingBox())!
    const bad = (await pane.getByRole('button', { name: `Bad answer from ${m}` }).boundingBox())!
    expect(Math.abs(good.y - bad.y)).toBeLessThan(2)
  }
  await expect(page.getByText('fastest', { exact: true })).toHaveCount(1)
  await expect(page.getByText('cheapest', { exact: true })).toHaveCount(0)
  await shot(page, 'compare-zero-cost-tie')

  await page.getByRole('tab', { name: 'Matrix' }).click()
  // Compare opened straight away (Prompts never visited, so none of its CSS is loaded): the prompt's
  // checkbox sits on one line with its name.
  const greet = (await page.getByRole('checkbox', { name: 'greet' }).boundingBox())!
  const greetName = (await page.getByText('greet', { exact: true }).boundingBox())!
  expect(Math.abs(greet.y + greet.height / 2 - (greetName.y + greetName.height / 2))).toBeLessThan(4)
  const promptsSet = page.getByRole('group', { name: 'Prompts' })
  const assertionsSet = page.getByRole('group', { name: /^Assertions/ })
  for (const set of [promptsSet, assertionsSet]) {
    // Styled like the page's panels, not the browser's grooved default.
    await expect(set).toHaveCSS('border-top-style', 'solid')
    await expect(set).toHaveCSS('border-top-left-radius', '6px')
  }
  await page.getByRole('checkbox', { name: 'greet' }).check()
  await page.getByLabel('Add matrix model', { exact: true }).fill('local/mock-gpt')
  await page.getByLabel('Add matrix model', { exact: true }).press('Enter')
  await page.getByLabel('Dataset', { exact: true }).fill('name\nAda')
  await page.getByLabel('Dataset', { exact: true }).blur()
  await expect(page.getByTestId('dataset-preview')).toHaveText('1 row · columns: name')
  await page.getByRole('button', { name: 'Run matrix' }).click()
  const progress = page.getByTestId('matrix-progress')
  await expect(progress).toHaveAttribute('data-finished', '1')
  await expect(progress).toContainText('Matrix run 1: 1 row × 1 column = 1 cell')
  await page.getByRole('button', { name: 'Re-run', exact: true }).click()
  await expect(progress).toContainText('Matrix run 2:')
  await expect(progress).toHaveAttribute('data-finished', '1')
  await shot(page, 'compare-matrix-run-1')
})
