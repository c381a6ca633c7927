import { join } from 'node:path'
import { type Browser, expect, type Page, test } from '@playwright/test'
import {
  adminCall,
  type Person,
  pageHeading,
  setUpOwnerOverHttp,
  signInAs,
  startGatewayWithMock,
  watchConsole,
} from '../helpers/e2e-gateway'

// Prompts belong to a workspace (issue 21): on the real gateway in team mode, a developer of alpha sees only alpha's
// prompts in the Prompts list, each with its workspace badge; the owner sees both workspaces' prompts.

const SHOTS = join(import.meta.dirname, 'screenshots')
const OWNER: Person = { name: 'Olive Owner', email: 'olive@example.com', password: 'owner passphrase 1' }
const DEV: Person = { name: 'Dana Dev', email: 'dana@example.com', password: 'developer passphrase 1' }

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

const running = startGatewayWithMock(
  (mockUrl) => `
auth: { mode: team }
workspaces:
  alpha: { name: Alpha team }
  beta: { name: Beta team }
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1" }
`,
)

test.beforeAll(async () => {
  const { gateway } = running
  const owner = await setUpOwnerOverHttp(gateway, OWNER)
  await adminCall(gateway, owner, '/admin/v1/team/members', {
    body: { ...DEV, role: 'developer', workspaces: ['alpha'] },
  })
  for (const ws of ['alpha', 'beta']) {
    await adminCall(gateway, owner, `/admin/v1/prompts/${ws}-greet/versions`, {
      body: { model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'Hello {{name}}' }], workspace: ws },
    })
  }
})

async function promptsOf(browser: Browser, who: Person): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signInAs(page, running.gateway, who)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await page.getByRole('link', { name: 'Prompts', exact: true }).click()
  return { page, close: () => context.close() }
}

test('a developer lists only their workspace’s prompts, each with its workspace; the owner lists both', async ({
  browser,
}) => {
  const dev = await promptsOf(browser, DEV)
  const devErrors = watchConsole(dev.page)
  const devItems = dev.page.getByTestId('prompt-item')
  await expect(devItems).toHaveCount(1)
  await expect(devItems.first()).toContainText('alpha-greet')
  await expect(devItems.first().getByTestId('prompt-workspace')).toHaveText('alpha')
  await dev.page.screenshot({ path: join(SHOTS, 'team-prompts-developer.png') })

  const owner = await promptsOf(browser, OWNER)
  const ownerErrors = watchConsole(owner.page)
  const ownerItems = owner.page.getByTestId('prompt-item')
  await expect(ownerItems).toHaveCount(2)
  await expect(ownerItems.filter({ hasText: 'beta-greet' }).getByTestId('prompt-workspace')).toHaveText('beta')
  await expect(ownerItems.filter({ hasText: 'alpha-greet' }).getByTestId('prompt-workspace')).toHaveText('alpha')
  await owner.page.screenshot({ path: join(SHOTS, 'team-prompts-owner.png') })
  expect([...devErrors, ...ownerErrors]).toEqual([])
  await dev.close()
  await owner.close()
})
