import { expect, type Page, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

let mock: RunningMock
let gateway: ServeProcess

test.use({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' })

test.beforeAll(async () => {
  mock = await startMockUpstream(['--chunks', '4', '--chunk-interval-ms', '5'])
  gateway = await startServe(`
providers:
  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: "sk-e2e" }
pricing:
  mock/gpt-a: { input: 1, output: 2 }
  mock/gpt-b: { input: 3, output: 6 }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

async function addModels(page: Page, field: string, models: string[]) {
  for (const m of models) {
    await page.getByLabel(field, { exact: true }).fill(m)
    await page.getByLabel(field, { exact: true }).press('Enter')
  }
}

test('prompts: create, version, diff and run; compare: side by side and a 3×2 matrix', async ({ page }) => {
  const consoleErrors: string[] = []
  page.on('console', (m) => {
    // Every error counts, the browser's favicon probe included: the app ships an icon.
    if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`)
  })

  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/prompts`)
  await expect(page.getByRole('heading', { level: 1, name: 'Prompts' })).toBeVisible()
  const icon = await page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>('link[rel=icon]')?.href
    const res = href ? await fetch(href) : undefined
    return { status: res?.status, type: res?.headers.get('content-type') }
  })
  expect(icon).toEqual({ status: 200, type: expect.stringMatching(/^image\/svg\+xml/) })
  await page.getByRole('button', { name: '+ New prompt' }).first().click()
  await page.getByLabel('Prompt name').fill('greet')
  // Nothing saved yet: the run button names the draft, not a version "v—".
  await expect(page.getByRole('button', { name: 'Run draft' })).toBeDisabled()
  await page.getByLabel('Message 1', { exact: true }).fill('Say hello to {{name}}')
  await page.getByLabel('Model or route').fill('mock/gpt-a')
  await page.getByLabel('Version note').fill('first')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('status')).toHaveText('Saved as v1')

  await page.getByLabel('Message 1', { exact: true }).fill('Say hi to {{name}}')
  await page.getByLabel('Version note').fill('shorter')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('status')).toHaveText('Saved as v2')
  // Saving the same content again makes no version.
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('status')).toHaveText('No changes since v2: nothing saved')
  await expect(page.getByTestId('prompt-item')).toHaveText(/greetv2/)

  await page.getByLabel('name', { exact: true }).fill('Ada')
  await page.getByRole('button', { name: 'Run v2' }).click()
  await expect(page.getByTestId('prompt-output')).toContainText('Echo: Say hi to Ada')
  await page.screenshot({ path: 'test/e2e/screenshots/prompts-editor.png', fullPage: true })

  await page.getByRole('tab', { name: 'Versions' }).click()
  await expect(page.getByTestId('version-row')).toHaveCount(2)
  await expect(page.getByTestId('version-row').first()).toContainText('shorter')
  // Labels of any name, set in the app's own dialog (a native confirm() would block this click).
  const v1 = page.locator('[data-testid=version-row][data-version="1"]')
  await v1.getByRole('button', { name: 'Set label on v1…' }).click()
  const labelDialog = page.getByRole('dialog', { name: 'Set a label on v1' })
  await labelDialog.getByLabel('Label', { exact: true }).fill('not ok!')
  await expect(labelDialog.getByRole('button', { name: 'Set label' })).toBeDisabled()
  await labelDialog.getByLabel('Label', { exact: true }).fill('canary')
  await expect(labelDialog).toContainText('canary: (none) → v1')
  await labelDialog.getByRole('button', { name: 'Set label' }).click()
  await expect(labelDialog).toBeHidden()
  await expect(v1).toContainText('canary')
  await page.getByTestId('version-row').first().getByRole('button', { name: 'Set label on v2…' }).click()
  await page.getByRole('dialog', { name: 'Set a label on v2' }).getByLabel('Label', { exact: true }).fill('canary')
  await expect(page.getByRole('dialog', { name: 'Set a label on v2' })).toContainText('canary: v1 → v2')
  await page.screenshot({ path: 'test/e2e/screenshots/prompts-label-dialog.png', fullPage: true })
  await page.getByRole('dialog', { name: 'Set a label on v2' }).getByRole('button', { name: 'Cancel' }).click()
  await expect(v1).toContainText('canary')
  await page.getByRole('tab', { name: 'Diff' }).click()
  const diff = page.getByTestId('prompt-diff')
  await expect(diff.locator('.diff-remove')).toHaveText([/Say hello to \{\{name\}\}/])
  await expect(diff.locator('.diff-add')).toHaveText([/Say hi to \{\{name\}\}/])
  await page.screenshot({ path: 'test/e2e/screenshots/prompts-diff.png', fullPage: true })

  await page.goto(`${gateway.baseUrl}/#/compare`)
  await expect(page.getByRole('heading', { level: 1, name: 'Compare' })).toBeVisible()
  await addModels(page, 'Add model', ['mock/gpt-a', 'mock/gpt-b'])
  await page.getByLabel('Shared input').fill('hello both')
  await page.getByRole('button', { name: 'Send to all' }).click()
  const panes = page.getByTestId('compare-pane')
  await expect(panes).toHaveCount(2)
  for (const model of ['mock/gpt-a', 'mock/gpt-b']) {
    const pane = page.locator(`[data-testid=compare-pane][data-model="${model}"]`)
    await expect(pane).toHaveAttribute('data-state', 'done')
    await expect(pane.getByTestId('pane-text')).toHaveText('Echo: hello both')
    await expect(pane.getByTestId('pane-cost')).not.toHaveAttribute('data-value', '')
  }
  await page.screenshot({ path: 'test/e2e/screenshots/compare-side-by-side.png', fullPage: true })

  await page.getByRole('tab', { name: 'Matrix' }).click()
  await page.getByRole('checkbox', { name: 'greet' }).check()
  await addModels(page, 'Add matrix model', ['mock/gpt-a', 'mock/gpt-b'])
  await page.getByLabel('Dataset', { exact: true }).fill('name\nAda\nBo\nCy')
  await page.getByLabel('Dataset', { exact: true }).blur()
  await expect(page.getByTestId('dataset-preview')).toHaveText('3 rows · columns: name')
  await page.getByRole('button', { name: '+ Assertion' }).click()
  await page.getByLabel('Assertion 1 value').fill('hi to {{name}}')
  await page.getByRole('button', { name: 'Run matrix' }).click()

  await expect(page.getByTestId('matrix-progress')).toHaveAttribute('data-finished', '6')
  await expect(page.getByTestId('matrix-column')).toHaveText([/^greet·v2 · mock\/gpt-a/, /^greet·v2 · mock\/gpt-b/])
  await expect(page.getByTestId('matrix-column').first()).toContainText('pass 100%')
  const cells = page.getByTestId('matrix-cell')
  await expect(cells).toHaveCount(6)
  for (const [row, name] of ['Ada', 'Bo', 'Cy'].entries()) {
    for (const col of [0, 1]) {
      const cell = page.locator(`[data-testid=matrix-cell][data-row="${row}"][data-col="${col}"]`)
      await expect(cell).toHaveAttribute('data-pass', 'true')
      await expect(cell).toContainText('✔ PASS')
      await expect(cell).toContainText(`Echo: Say hi to ${name}`)
    }
  }
  await page.screenshot({ path: 'test/e2e/screenshots/compare-matrix.png', fullPage: true })
  expect(consoleErrors).toEqual([])
})
