import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Keys & Policies against the real gateway: a key made in the UI opens /v1 to its holder, and revoking it shuts it.
const SHOTS = join(import.meta.dirname, 'screenshots')

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 1000, output: 2000 }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

/** A chat call from the page itself, as a browser client would make it; answers the HTTP status. */
function chat(page: Page, key?: string): Promise<number> {
  return page.evaluate(async (key) => {
    const res = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
    })
    return res.status
  }, key)
}

async function createKey(page: Page, fill: Record<string, string>): Promise<string> {
  for (const [label, value] of Object.entries(fill)) await page.getByLabel(label, { exact: true }).fill(value)
  await page.getByRole('button', { name: 'Create key' }).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('will not be shown again')
  const secret = (await dialog.getByTestId('key-secret').textContent()) ?? ''
  expect(secret).toMatch(/^sy-[A-Za-z0-9_-]{20,}$/)
  await expect(dialog.getByRole('button', { name: 'Copy key' })).toBeVisible()
  await dialog.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  // Once closed, the secret is gone from the page: only the masked hint remains.
  await expect(page.getByText(secret)).toHaveCount(0)
  return secret
}

test('create a key, call /v1 with it, revoke it and get 401', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
  await page.keyboard.press('Control+8')
  await expect(page.getByRole('heading', { level: 1, name: 'Keys & Policies' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Keys & Policies' })).toHaveAttribute('aria-current', 'page')
  await expect(page.getByText('open, but only to this machine')).toBeVisible()
  expect(await chat(page)).toBe(200)

  await page.getByRole('button', { name: 'Create the first key' }).click()
  await expect(page.getByText('This is the first key')).toBeVisible()
  // A name the gateway would refuse is caught beside the field, before sending.
  await page.getByLabel('Name', { exact: true }).fill('bad name')
  await page.getByRole('button', { name: 'Create key' }).click()
  await expect(page.getByText('Use letters, digits, dot, dash or underscore only.')).toBeVisible()
  const secret = await createKey(page, {
    Name: 'ci',
    'Allowed models': 'mock/*',
    'Requests per minute': '60',
    'Budget (USD)': '0.05',
  })

  const table = page.getByRole('table', { name: 'Keys' })
  const row = table.getByRole('row', { name: 'ci' })
  await expect(row).toContainText('mock/*')
  await expect(row).toContainText(`${secret.slice(0, 4)}…${secret.slice(-4)}`)

  // With a key configured, no key is refused and the new one is accepted.
  expect(await chat(page)).toBe(401)
  expect(await chat(page, secret)).toBe(200)

  // A second key, so the gateway still requires keys after the first is revoked.
  await page.getByRole('button', { name: 'New key' }).click()
  await page.getByLabel('May call MCP tools marked as needing confirmation').check()
  await createKey(page, {
    Name: 'team-a',
    'Tokens per minute': '20000',
    'Provider tags': 'eu, local',
    'Budget (USD)': '10',
    'MCP tools': 'everything__echo, github__*',
  })
  await expect(table.getByRole('row')).toHaveCount(3)
  // What the key may reach through /mcp was saved with it, and the edit dialog shows it back.
  await table.getByRole('row', { name: 'team-a' }).getByRole('button', { name: 'Edit' }).click()
  const edit = page.getByRole('dialog', { name: 'Edit key: team-a' })
  await expect(edit.getByLabel('MCP tools', { exact: true })).toHaveValue('everything__echo, github__*')
  await expect(edit.getByLabel('MCP prompts', { exact: true })).toHaveValue('')
  await expect(edit.getByLabel('May call MCP tools marked as needing confirmation')).toBeChecked()
  await page.screenshot({ path: join(SHOTS, 'keys-edit-mcp.png') })
  await edit.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  // A name already taken is refused beside the field.
  await page.getByRole('button', { name: 'New key' }).click()
  await page.getByLabel('Name', { exact: true }).fill('ci')
  await page.getByRole('button', { name: 'Create key' }).click()
  await expect(page.getByText('A key named "ci" exists.')).toBeVisible()
  await page.getByRole('button', { name: 'Cancel' }).click()

  // Reload to show the spend of the call just made.
  await page.reload()
  await expect(row.getByRole('progressbar')).toBeVisible()
  await page.waitForLoadState('networkidle')
  await page.screenshot({ path: join(SHOTS, 'keys.png'), fullPage: true })

  await row.getByRole('button', { name: 'Revoke' }).click()
  await row.getByRole('button', { name: 'Yes, revoke' }).click()
  await expect(row).toHaveCount(0)
  expect(await chat(page, secret)).toBe(401)
  expect(errors).toEqual([])
})
