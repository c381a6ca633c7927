import { expect, type Page, test } from '@playwright/test'
import { type ServeProcess, startServe } from './serve-process'
import { type RunningMock, startMockUpstream } from './upstreams'

/**
 * The start-up the sign-in and team browser tests share: the mock provider, then the built gateway (`serve`) with
 * the config `configOf(mockUrl)` (environment `env` resolves its `${env:…}` references), both stopped after the
 * file. The returned object is filled in by `beforeAll`: read its fields inside tests only.
 */
export function startGatewayWithMock(
  configOf: (mockUrl: string) => string,
  env: Record<string, string> = {},
): { gateway: ServeProcess; mock: RunningMock } {
  const running = {} as { gateway: ServeProcess; mock: RunningMock }
  test.beforeAll(async () => {
    running.mock = await startMockUpstream()
    Object.assign(process.env, env)
    running.gateway = await startServe(configOf(running.mock.url))
  })
  test.afterAll(async () => {
    await running.gateway?.stop()
    await running.mock?.stop()
  })
  return running
}

/** Console errors are bugs; the refusals a test provokes (a wrong password's 401) are passed in as `expected`. */
export function watchConsole(page: Page, expected?: RegExp): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() !== 'error' || m.location().url.endsWith('/favicon.ico')) return
    if (expected?.test(`${m.text()} ${m.location().url}`)) return
    errors.push(`${m.text()} ${m.location().url}`)
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

export interface Person {
  name: string
  email: string
  password: string
}

export const pageHeading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name })
export const accountButton = (page: Page) => page.getByRole('button', { name: /^Account: / })

/** Team mode's sign-in page with email and password. */
export async function signInAs(page: Page, gateway: ServeProcess, who: Pick<Person, 'email' | 'password'>) {
  await page.goto(gateway.baseUrl)
  await expect(pageHeading(page, 'Sign in')).toBeVisible()
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

export async function signOut(page: Page) {
  await accountButton(page).click()
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await expect(pageHeading(page, 'Sign in')).toBeVisible()
}

/**
 * The first owner, made over HTTP with the setup link `serve` printed (team.spec walks the same link in the
 * browser); answers the owner's session headers (cookie and CSRF) for the test's own admin calls.
 */
export async function setUpOwnerOverHttp(gateway: ServeProcess, owner: Person): Promise<Record<string, string>> {
  const link = gateway.takeLoginUrl()
  const token = link && new URL(link).searchParams.get('token')
  if (!token) throw new Error(`serve printed no setup link (${link})`)
  const res = await fetch(`${gateway.baseUrl}/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, ...owner }),
  })
  if (res.status !== 204) throw new Error(`setup answered ${res.status}: ${await res.text()}`)
  const cookie = res.headers.get('set-cookie')?.split(';')[0]
  if (!cookie) throw new Error('setup set no session cookie')
  return { cookie, 'x-switchyard-csrf': '1' }
}

/** An admin call the test makes with a session's headers; fails the test on an error answer. */
export async function adminCall<T>(
  gateway: ServeProcess,
  headers: Record<string, string>,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${gateway.baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`)
  return (text ? JSON.parse(text) : null) as T
}
