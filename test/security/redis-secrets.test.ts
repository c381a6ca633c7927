import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type ServeProcess, startServe } from '../helpers/serve-process.js'

// The Redis URL's password is a credential like a provider key: it works, and it never comes back out.

const PASSWORD = 'redis-pass-0123456789-SECRET'

let redis: RedisServer
let serve: ServeProcess

beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD })
  // Hand-written, as an operator would: the password in plain text in the file.
  serve = await startServe(`redis: ${redis.url}\ndiscovery: { enabled: false }\n`, [], {
    fromSource: true,
    env: { SWITCHYARD_SECRET_KEY: randomBytes(32).toString('base64url') },
  })
})
afterAll(async () => {
  await serve?.stop()
  await redis?.stop()
})

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${serve.baseUrl}${path}`, {
    ...init,
    headers: { ...serve.adminHeaders, 'content-type': 'application/json', ...init.headers },
  })

it('connects with the password, and no admin answer, export, audit entry or rewritten file holds it', async () => {
  expect(redis.url).toContain(PASSWORD)
  const health = await (await fetch(`${serve.baseUrl}/health`)).json()
  expect(health).toEqual({ status: 'ok', backends: { redis: 'ok' } })

  const settings = await admin('/admin/v1/settings')
  const settingsText = await settings.text()
  expect(settingsText).not.toContain(PASSWORD)
  const { redis: shown } = JSON.parse(settingsText) as { redis: { url: string; state: string; keyPrefix: string } }
  expect(shown).toMatchObject({ state: 'ok', keyPrefix: 'switchyard:' })
  expect(shown.url).toMatch(/^redis:\/\/.*….*@127\.0\.0\.1:\d+$/)

  for (const query of ['', '?secrets=omit', '?format=json']) {
    const exported = await admin(`/admin/v1/config/export${query}`)
    expect(exported.status).toBe(200)
    const text = await exported.text()
    expect(text, query).toContain(`127.0.0.1:${redis.port}`)
    expect(text, query).not.toContain(PASSWORD)
  }

  // Any change through the admin API rewrites the file: the password moves to the secret store.
  const changed = await admin('/admin/v1/settings', {
    method: 'PUT',
    body: JSON.stringify({ logs: { maxAgeDays: 9 } }),
  })
  expect(changed.status).toBe(200)
  const file = readFileSync(join(serve.dataDir, 'test-config.yaml'), 'utf8')
  expect(file).not.toContain(PASSWORD)
  expect(file).toContain('${secret:redis.url.userinfo}@127.0.0.1')
  for (const path of ['/admin/v1/audit', '/admin/v1/settings', '/admin/v1/config/export']) {
    expect(await (await admin(path)).text(), path).not.toContain(PASSWORD)
  }

  // And the reference resolves at the next start: the gateway connects again.
  await serve.restart()
  expect(await (await fetch(`${serve.baseUrl}/health`)).json()).toEqual({ status: 'ok', backends: { redis: 'ok' } })
})
