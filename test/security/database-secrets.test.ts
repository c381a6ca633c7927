import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js'
import { type ServeProcess, startServe } from '../helpers/serve-process.js'

// The Postgres URL's password (config `database`) is a credential like a provider key: it works, and it never
// comes back out.

let pg: PostgresServer
let serve: ServeProcess
let password: string

beforeAll(async () => {
  pg = await startPostgres()
  password = decodeURIComponent(new URL(pg.url).password)
  // Hand-written, as an operator would: the password in plain text in the file.
  serve = await startServe(`database: ${pg.url}\ndiscovery: { enabled: false }\n`, [], {
    fromSource: true,
    env: { SWITCHYARD_SECRET_KEY: 'database-secrets-test-key' },
  })
}, 90_000)
afterAll(async () => {
  await serve?.stop()
  await pg?.stop()
})

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${serve.baseUrl}${path}`, {
    ...init,
    headers: { ...serve.adminHeaders, 'content-type': 'application/json', ...init.headers },
  })

it('connects with the password, and no admin answer, export, audit entry or rewritten file holds it', async () => {
  expect(password.length).toBeGreaterThan(8)
  expect(await (await fetch(`${serve.baseUrl}/health`)).json()).toEqual({ status: 'ok', backends: { postgres: 'ok' } })

  const settingsText = await (await admin('/admin/v1/settings')).text()
  expect(settingsText).not.toContain(password)
  const { database } = JSON.parse(settingsText) as { database: { url: string; state: string } }
  expect(database.state).toBe('ok')
  expect(database.url).toMatch(/^postgres:\/\/.*….*@127\.0\.0\.1:\d+\/switchyard$/)

  for (const query of ['', '?secrets=omit', '?format=json']) {
    const exported = await admin(`/admin/v1/config/export${query}`)
    expect(exported.status).toBe(200)
    const text = await exported.text()
    expect(text, query).toContain(`127.0.0.1:${pg.port}`)
    expect(text, query).not.toContain(password)
  }

  // Any change through the admin API rewrites the file: the password moves to the secret store.
  const changed = await admin('/admin/v1/settings', {
    method: 'PUT',
    body: JSON.stringify({ logs: { maxAgeDays: 9 } }),
  })
  expect(changed.status).toBe(200)
  const file = readFileSync(join(serve.dataDir, 'test-config.yaml'), 'utf8')
  expect(file).not.toContain(password)
  expect(file).toContain('${secret:database.userinfo}@127.0.0.1')
  for (const path of ['/admin/v1/audit', '/admin/v1/settings', '/admin/v1/config/export', '/admin/v1/logs']) {
    expect(await (await admin(path)).text(), path).not.toContain(password)
  }

  // And the reference resolves at the next start: the gateway connects again.
  await serve.restart()
  expect(await (await fetch(`${serve.baseUrl}/health`)).json()).toEqual({ status: 'ok', backends: { postgres: 'ok' } })
}, 90_000)
