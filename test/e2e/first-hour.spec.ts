import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { shot, signIn } from '../helpers/ui-checks'
import { type RecordedRequest, type RunningMock, sendJson, sendSse, startScriptedUpstream } from '../helpers/upstreams'

// A newcomer's first hour, as one pass through the UI: a fresh data folder and no config file; a provider,
// a chat, a prompt with two versions, Compare and a matrix, a virtual key used by the openai SDK; then the
// gateway restarts on the same folder and port, and everything made before still works; then the whole
// setup, prompts included, moves to a second gateway through export and import.

/** The provider's key as the user types it; the upstream answers nothing without it. */
const UPSTREAM_KEY = 'sk-first-hour-0123456789'
const MODELS = ['gpt-a', 'gpt-b']

let upstream: RunningMock & { requests: RecordedRequest[] }
let gateway: ServeProcess
let second: ServeProcess | undefined
const downloads = mkdtempSync(join(tmpdir(), 'switchyard-first-hour-'))

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.setTimeout(90_000)

/** Answers 401 the way OpenAI does unless the request carries the provider's key. */
function refused(req: RecordedRequest, res: ServerResponse): boolean {
  if (req.headers.authorization === `Bearer ${UPSTREAM_KEY}`) return false
  sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } })
  return true
}

/** The last user message's text, echoed back: what a test can check arrived. */
function echo(body: { messages: { role: string; content: unknown }[] }): string {
  const last = [...body.messages].reverse().find((m) => m.role === 'user')
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content)
  return `Echo: ${text}`
}

test.beforeAll(async () => {
  upstream = await startScriptedUpstream({
    'GET /v1/models': (req, res) => {
      if (refused(req, res)) return
      sendJson(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', owned_by: 'lab' })) })
    },
    'POST /v1/chat/completions': (req, res) => {
      if (refused(req, res)) return
      const body = req.body as { model: string; stream?: boolean; messages: { role: string; content: unknown }[] }
      const text = echo(body)
      const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }
      const base = { id: 'chatcmpl-1', created: 1, model: body.model }
      if (!body.stream) {
        sendJson(res, 200, {
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage,
        })
        return
      }
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`
      sendSse(res, [
        chunk({ role: 'assistant', content: text }, null),
        chunk({}, 'stop', { usage }),
        'data: [DONE]\n\n',
      ])
    },
  })
  gateway = await startServe()
})
test.afterAll(async () => {
  await second?.stop()
  await gateway?.stop()
  await upstream?.stop()
  rmSync(downloads, { recursive: true, force: true })
})

/** Console errors collected with their URL; the restart is allowed its own (see below). */
function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`)
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true })

async function openPage(page: Page, name: string) {
  await page.getByRole('link', { name, exact: true }).click()
  await expect(heading(page, name)).toBeVisible()
}

async function addModels(page: Page, field: string, models: string[]) {
  for (const m of models) {
    await page.getByLabel(field, { exact: true }).fill(m)
    await page.getByLabel(field, { exact: true }).press('Enter')
  }
}

async function chatInPlayground(page: Page, model: string, text: string) {
  await openPage(page, 'Playground')
  await page.getByLabel('Model or route').selectOption(model)
  await page.getByLabel('Message', { exact: true }).fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
  const reply = page.getByTestId('pg-reply').last()
  await expect(reply).toContainText(`Echo: ${text}`)
  await expect(reply).toHaveAttribute('data-state', 'done')
}

/** Everything an import should carry over, as the admin API lists it. */
async function setupOf(gw: ServeProcess) {
  const get = async (path: string) => (await fetch(`${gw.baseUrl}${path}`, { headers: gw.adminHeaders })).json()
  const providers = (await get('/admin/v1/providers')) as { items: { id: string; type: string; baseUrl: string }[] }
  const routes = (await get('/admin/v1/routes')) as { items: unknown[] }
  const prompts = (await get('/admin/v1/prompts')) as { items: { name: string }[] }
  const latest = await Promise.all(
    prompts.items.map(async (p) => {
      const v = (await get(`/admin/v1/prompts/${p.name}`)) as { latest: { content: unknown } }
      return { name: p.name, content: v.latest.content }
    }),
  )
  return {
    providers: providers.items.map(({ id, type, baseUrl }) => ({ id, type, baseUrl })),
    routes: routes.items,
    prompts: latest,
  }
}

test('the first hour: set up in the UI, use it, restart, and move the setup to a second gateway', async ({ page }) => {
  const errors = watchConsole(page)

  // Signed in with the link `serve` printed.
  await signIn(page, gateway)
  await expect(heading(page, 'Overview')).toBeVisible()

  // A provider, added in the UI with its key.
  await openPage(page, 'Providers & models')
  await page.getByRole('button', { name: '+ Add provider' }).first().click()
  await page.getByLabel('Provider id').fill('lab')
  await page.getByLabel('Type').selectOption('openai-compatible')
  await page.getByLabel('Base URL').fill(`${upstream.url}/v1`)
  await page.getByLabel('API key', { exact: true }).fill(UPSTREAM_KEY)
  await page.getByRole('button', { name: 'Add provider', exact: true }).click()
  const card = page.locator('[data-testid=provider-card][data-provider=lab]')
  await expect(card).toContainText('2 models')
  await expect(card).toContainText('key sk-…6789')
  await shot(page, 'first-hour-provider')

  // A route over both models.
  await openPage(page, 'Routes')
  await page.getByRole('button', { name: '+ New route' }).first().click()
  await page.getByLabel('Name (what clients send as the model)').fill('smart')
  for (const m of MODELS) {
    await page.getByLabel('Add target').fill(`lab/${m}`)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
  }
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('region', { name: 'Unsaved changes' })).toHaveCount(0)
  await expect(page.getByRole('navigation', { name: 'Routes' })).toContainText('smart')

  // A chat in the Playground.
  await chatInPlayground(page, 'lab/gpt-a', 'hello from the first hour')
  await shot(page, 'first-hour-playground')

  // A prompt and two versions.
  await openPage(page, 'Prompts')
  await page.getByRole('button', { name: '+ New prompt' }).first().click()
  await page.getByLabel('Prompt name').fill('greet')
  await page.getByLabel('Message 1', { exact: true }).fill('Say hello to {{name}}')
  await page.getByLabel('Model or route').fill('lab/gpt-a')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('status')).toHaveText('Saved as v1')
  await page.getByLabel('Message 1', { exact: true }).fill('Say hi to {{name}}')
  await page.getByLabel('Version note').fill('shorter')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('status')).toHaveText('Saved as v2')
  await page.getByLabel('name', { exact: true }).fill('Ada')
  await page.getByRole('button', { name: 'Run v2' }).click()
  await expect(page.getByTestId('prompt-output')).toContainText('Echo: Say hi to Ada')

  // Compare side by side, then a matrix of the prompt over both models.
  await openPage(page, 'Compare')
  await addModels(page, 'Add model', ['lab/gpt-a', 'lab/gpt-b'])
  await page.getByLabel('Shared input').fill('which is better?')
  await page.getByRole('button', { name: 'Send to all' }).click()
  for (const m of MODELS) {
    const pane = page.locator(`[data-testid=compare-pane][data-model="lab/${m}"]`)
    await expect(pane).toHaveAttribute('data-state', 'done')
    await expect(pane.getByTestId('pane-text')).toHaveText('Echo: which is better?')
  }
  await page.getByRole('tab', { name: 'Matrix' }).click()
  await page.getByRole('checkbox', { name: 'greet' }).check()
  await addModels(page, 'Add matrix model', ['lab/gpt-a', 'lab/gpt-b'])
  await page.getByLabel('Dataset', { exact: true }).fill('name\nAda\nBo')
  await page.getByRole('button', { name: 'Run matrix' }).click()
  await expect(page.getByTestId('matrix-progress')).toHaveAttribute('data-finished', '4')
  await expect(page.locator('[data-testid=matrix-cell][data-row="1"][data-col="1"]')).toContainText(
    'Echo: Say hi to Bo',
  )
  await shot(page, 'first-hour-matrix')

  // A virtual key, read from the dialog that shows it once.
  await openPage(page, 'Keys & Policies')
  await page.getByRole('button', { name: 'Create the first key' }).click()
  await page.getByLabel('Name', { exact: true }).fill('laptop')
  await page.getByRole('button', { name: 'Create key' }).click()
  const dialog = page.getByRole('dialog')
  const secret = (await dialog.getByTestId('key-secret').textContent()) ?? ''
  expect(secret).toMatch(/^sy-[A-Za-z0-9_-]{20,}$/)
  await dialog.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('table', { name: 'Keys' }).getByRole('row', { name: 'laptop' })).toBeVisible()
  await shot(page, 'first-hour-key')

  // The key opens /v1 to the openai SDK; no key is refused now that one exists.
  const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: secret, maxRetries: 0 })
  const ask = async (c: OpenAI, model: string) =>
    (await c.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }] })).choices[0].message
      .content
  expect(await ask(client, 'lab/gpt-b')).toBe('Echo: ping')
  expect(await ask(client, 'smart')).toBe('Echo: ping')
  const stranger = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: 'sy-not-a-key', maxRetries: 0 })
  await expect(ask(stranger, 'lab/gpt-b')).rejects.toMatchObject({ status: 401 })
  expect(errors).toEqual([])

  // Restart: the same data folder and port, the page left open.
  await gateway.restart()
  const afterRestart = errors.length

  // The key still works, and the provider still has its key (the upstream refuses calls without it).
  expect(await ask(client, 'lab/gpt-a')).toBe('Echo: ping')
  expect(await ask(client, 'smart')).toBe('Echo: ping')
  await expect(ask(stranger, 'lab/gpt-b')).rejects.toMatchObject({ status: 401 })

  // The open page: its session ended with the old process, so its next call (moving to another page, or the
  // status poll, whichever comes first) brings the sign-in page, cleanly. The move is made by address: the poll
  // may have taken the navigation away already.
  await page.evaluate(() => {
    window.location.hash = '#/providers'
  })
  await expect(heading(page, 'Sign in')).toBeVisible()
  await expect(page.getByRole('alert')).toHaveText('Your session ended. Sign in again.')
  await shot(page, 'first-hour-signed-out')
  await page.getByLabel('Admin token').fill(gateway.adminToken)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(heading(page, 'Providers & models')).toBeVisible()
  await expect(card).toContainText('key sk-…6789')
  await expect(card).not.toContainText('key none')
  await shot(page, 'first-hour-after-restart')
  await openPage(page, 'Keys & Policies')
  await expect(page.getByRole('table', { name: 'Keys' }).getByRole('row', { name: 'laptop' })).toBeVisible()
  await expect(page.getByText('Without keys the gateway is open')).toHaveCount(0)
  // The calls made before the restart are still in the log (the SDK's lab/gpt-b call came only before it).
  await openPage(page, 'Logs')
  const beforeRestart = page.getByTestId('log-row').filter({ hasText: 'lab/gpt-b' }).filter({ hasText: 'laptop' })
  await expect(beforeRestart).toHaveCount(1)
  await chatInPlayground(page, 'smart', 'still here after the restart')

  // Export with the prompts, downloaded as a user would.
  await openPage(page, 'Settings')
  const exportPanel = page.getByRole('region', { name: 'Export config' })
  await exportPanel.getByLabel('Include the prompt library').check()
  await exportPanel.getByRole('button', { name: 'Export', exact: true }).click()
  const exported = exportPanel.getByLabel(/^Exported config/)
  await expect(exported).toHaveValue(/prompts:\n\s+greet:/)
  expect(await exported.inputValue()).not.toContain(UPSTREAM_KEY)
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    exportPanel.getByRole('button', { name: 'Download' }).click(),
  ])
  expect(download.suggestedFilename()).toBe('switchyard-config.yaml')
  const file = join(downloads, download.suggestedFilename())
  await download.saveAs(file)
  expect(readFileSync(file, 'utf8')).toBe(await exported.inputValue())
  await shot(page, 'first-hour-export')

  // Only what a gateway restart makes: the refused call that told the app its session ended, and calls made
  // while the gateway was down.
  const restartNoise = /status of 401 .*\/admin\/v1\/|ERR_CONNECTION_REFUSED/
  expect(errors.slice(afterRestart).filter((e) => !restartNoise.test(e))).toEqual([])
  errors.length = 0

  // A second gateway, fresh: import the file through its UI.
  second = await startServe()
  await signIn(page, second)
  await openPage(page, 'Settings')
  await page.getByLabel('Config file (YAML or JSON)').setInputFiles(file)
  await page.getByRole('button', { name: 'Validate and preview' }).click()
  const preview = page.getByTestId('import-preview')
  await expect(preview).toContainText('providers: lab')
  await expect(preview).toContainText('routes: smart')
  await expect(preview).toContainText('Prompts to create (1)')
  // The virtual key's value stays with the gateway that made it: taken in, it would lock /v1 and stop the next start.
  await expect(preview).toContainText(
    'Client keys not imported, their values are not on this machine: laptop (${secret:keys.laptop.key} is not set)',
  )
  await shot(page, 'first-hour-import-preview')
  await page.getByRole('button', { name: 'Apply' }).click()
  const applied = page.getByRole('status').filter({ hasText: 'Config applied' })
  await expect(applied).toContainText('Prompts: 1 created, 0 updated, 0 unchanged.')
  await expect(applied).toContainText('Enter these keys under Providers: providers.lab.apiKey.')
  await shot(page, 'first-hour-import')

  const setup = await setupOf(gateway)
  expect(setup).toMatchObject({
    providers: [{ id: 'ollama' }, { id: 'lab' }],
    routes: [{ name: 'smart' }],
    prompts: [{ name: 'greet' }],
  })
  expect(await setupOf(second)).toEqual(setup)
  // The second gateway starts again with what it imported.
  await second.restart()
  expect(await setupOf(second)).toEqual(setup)
  await signIn(page, second)
  await openPage(page, 'Prompts')
  await expect(page.getByTestId('prompt-item')).toHaveText([/greet/])

  // The provider's key, as the import asked: typed in under Providers, and the imported setup answers.
  await openPage(page, 'Providers & models')
  const imported = page.locator('[data-testid=provider-card][data-provider=lab]')
  await expect(imported).toContainText('key none')
  await imported.getByRole('button', { name: 'Edit' }).click()
  await page.getByLabel('API key', { exact: true }).fill(UPSTREAM_KEY)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(imported).toContainText('2 models · key sk-…6789')
  await shot(page, 'first-hour-second-provider')
  await chatInPlayground(page, 'smart', 'hello from the second gateway')
  expect(errors.filter((e) => !restartNoise.test(e))).toEqual([])
})
