import { expect, it } from 'vitest'
import { postgresForFile } from '../../../test/helpers/postgres-server.js'
import { runCli } from '../../../test/helpers/run-cli.js'
import { startServe } from '../../../test/helpers/serve-process.js'
import { parseConfig } from '../../config/load.js'
import { createMemorySink } from '../../core/log-event.js'
import { buildGateway } from '../../server.js'

// A gateway with `database`: Postgres is opened and migrated at start, /health shows it, an outage raises one
// backend_unavailable alert and its end another, /ready stays ready (calls do not read the log), and the URL's
// password never comes back from /admin.

const server = postgresForFile()

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** `database` seals the config the instances share under it: a start without it is refused (config-postgres.test.ts). */
const SECRET_KEY = { SWITCHYARD_SECRET_KEY: 'lifecycle-test-key' }

async function start(yaml: string, env: NodeJS.ProcessEnv = {}, database?: string) {
  const app = buildGateway(parseConfig(yaml, 'yaml', { ...SECRET_KEY, ...env }), {
    webRoot: false,
    sink: createMemorySink(),
    database,
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const admin = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${app.adminToken}` } })
  return { app, url, admin }
}

const password = () => decodeURIComponent(new URL(server.url).password)

it('/health shows postgres, an outage is one alert and its end another, /ready stays ready, the password stays hidden', async () => {
  const gw = await start('discovery: { enabled: false }\ndatabase: ${env:PG_URL}\n', { PG_URL: server.url })
  try {
    expect(await (await fetch(`${gw.url}/health`)).json()).toEqual({ status: 'ok', backends: { postgres: 'ok' } })
    const tables = await gw.admin('/admin/v1/settings')
    const settings = (await tables.json()) as { database?: { url: string; state: string } }
    expect(settings.database).toEqual({ url: '${env:PG_URL}', state: 'ok' })

    await server.pause()
    await until('down', async () => {
      const h = (await (await fetch(`${gw.url}/health`)).json()) as { backends: { postgres: string } }
      return h.backends.postgres === 'unavailable'
    })
    expect((await fetch(`${gw.url}/ready`)).status).toBe(200)
    await server.resume()
    await until('up', async () => {
      const h = (await (await fetch(`${gw.url}/health`)).json()) as { backends: { postgres: string } }
      return h.backends.postgres === 'ok'
    })
    // The alerts are in the shared database: the outage's is stored once it answers again, beside its end's.
    let body = ''
    await until('both alerts stored', async () => {
      body = await (await gw.admin('/admin/v1/alerts?kind=backend_unavailable')).text()
      return body.includes('"total":2')
    })
    expect(body).not.toContain(password())
    const items = (JSON.parse(body) as { items: { level: string; message: string; workspace?: string }[] }).items
    expect(items.map((a) => a.level).sort()).toEqual(['critical', 'warning'])
    expect(items.every((a) => a.message.includes('Postgres') && a.workspace === undefined)).toBe(true)
  } finally {
    await gw.app.close()
  }
}, 30_000)

it('serve --database wins over the config and is masked; a changed `database` is listed as needing a restart', async () => {
  const gw = await start('discovery: { enabled: false }\n', {}, server.url)
  try {
    const settings = (await (await gw.admin('/admin/v1/settings')).json()) as {
      database?: { url: string; state: string }
      restartRequired?: string[]
    }
    expect(settings.database?.state).toBe('ok')
    expect(settings.database?.url).not.toContain(password())
    expect(settings.database?.url).toMatch(/^postgres:\/\/[^@]*…[^@]*@127\.0\.0\.1:\d+\/switchyard$/)
    expect(settings.restartRequired).toEqual([])
    const rows = await (await gw.admin('/admin/v1/config')).text()
    expect(rows).not.toContain(password())
  } finally {
    await gw.app.close()
  }
  const again = await start('discovery: { enabled: false }\n')
  try {
    expect(await (await fetch(`${again.url}/health`)).text()).toBe('{"status":"ok"}')
  } finally {
    await again.app.close()
  }
}, 30_000)

it('a gateway started while Postgres is down starts, reports it, and migrates once it answers', async () => {
  await server.pause()
  const gw = await start('discovery: { enabled: false }\n', {}, server.url)
  try {
    const h = (await (await fetch(`${gw.url}/health`)).json()) as { backends: { postgres: string } }
    expect(h.backends.postgres).toBe('unavailable')
    await server.resume()
    await until('migrated and up', async () => {
      const s = (await (await fetch(`${gw.url}/health`)).json()) as { backends: { postgres: string } }
      return s.backends.postgres === 'ok'
    })
  } finally {
    await gw.app.close()
    await server.resume()
  }
}, 30_000)

it('switchyard serve --database URL logs to that Postgres; a URL that is not postgres:// is refused before anything opens', async () => {
  const serve = await startServe('discovery: { enabled: false }\n', ['--database', server.url], {
    fromSource: true,
    env: SECRET_KEY,
  })
  try {
    expect(await (await fetch(`${serve.baseUrl}/health`)).json()).toEqual({
      status: 'ok',
      backends: { postgres: 'ok' },
    })
  } finally {
    await serve.stop()
  }
  const refused = await runCli(['serve', '--database', 'mysql://root@127.0.0.1/x', '--port', '0'])
  expect(refused.code).not.toBe(0)
  expect(refused.stderr).toContain('--database must be a postgres:// or postgresql:// URL')
}, 90_000)
