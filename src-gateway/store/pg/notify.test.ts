import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../../test/helpers/postgres-server.js'
import { type PgNotifier, pgNotifier } from './notify.js'
import { openPgPool, type PgPool } from './pool.js'

// Two instances on one Postgres: a notice sent by one reaches the other's listeners; a lost listening connection
// (Postgres restarted, the session killed) comes back by itself and tells every listener to re-read ('').

let server: PostgresServer
let admin: PgPool
const open: { pool: PgPool; notifier: PgNotifier }[] = []

beforeAll(async () => {
  server = await startPostgres()
  admin = await openPgPool(server.url)
}, 60_000)
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.notifier.close()
    await o.pool.close()
  }
})
afterAll(async () => {
  await admin?.close()
  await server?.stop()
})

async function instance() {
  const pool = await openPgPool(server.url)
  const notifier = pgNotifier({ pool: () => pool })
  open.push({ pool, notifier })
  return notifier
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const listening = async () =>
  Number(
    (
      await admin.query<{ n: number }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'switchyard notify'",
      )
    )[0].n,
  )

it('a notice from one instance reaches the listeners of every instance, after a first re-read', async () => {
  const a = await instance()
  const b = await instance()
  const heardA: string[] = []
  const heardB: string[] = []
  a.listen('config', (p) => heardA.push(p))
  b.listen('config', (p) => heardB.push(p))
  await until('both connected', () => heardA.length === 1 && heardB.length === 1)
  expect(heardB).toEqual([''])

  const sent = Date.now()
  await a.notify('config', JSON.stringify({ origin: a.origin, version: 7 }))
  await until('B hears A', () => heardB.length === 2)
  expect(Date.now() - sent).toBeLessThan(1000)
  expect(JSON.parse(heardB[1])).toEqual({ origin: a.origin, version: 7 })
  // An instance hears its own notices too: the origin lets it tell them apart.
  await until('A hears itself', () => heardA.length === 2)
  expect(a.origin).not.toBe(b.origin)
})

it('channels are separate, an unsubscribed listener hears nothing more, one failing listener does not stop the others', async () => {
  const a = await instance()
  const b = await instance()
  const teams: string[] = []
  const configs: string[] = []
  const warnings: string[] = []
  const onWarning = (w: Error) => warnings.push(w.message)
  process.on('warning', onWarning)
  try {
    b.listen('team', () => {
      throw new Error('boom')
    })
    const off = b.listen('team', (p) => teams.push(p))
    b.listen('config', (p) => configs.push(p))
    await until('connected', () => teams.length === 1 && configs.length === 1)
    await a.notify('team', 'account:3')
    await until('team notice', () => teams.length === 2)
    expect(teams[1]).toBe('account:3')
    expect(configs).toEqual([''])
    expect(warnings.some((w) => w.includes('boom'))).toBe(true)

    off()
    await a.notify('team', 'account:4')
    await a.notify('config', 'after')
    await until('config notice', () => configs.length === 2)
    expect(teams).toEqual(['', 'account:3'])
  } finally {
    process.off('warning', onWarning)
  }
})

it('a channel added to a live connection is listened to and re-read once', async () => {
  const a = await instance()
  const b = await instance()
  const first: string[] = []
  b.listen('config', (p) => first.push(p))
  await until('connected', () => first.length === 1)
  const later: string[] = []
  b.listen('prompts', (p) => later.push(p))
  await until('re-read', () => later.length === 1)
  await a.notify('prompts', 'p1')
  await until('prompts notice', () => later.length === 2)
  expect(later).toEqual(['', 'p1'])
  expect(first).toEqual([''])
})

it('a killed listening session reconnects by itself, re-listens and asks for a re-read', async () => {
  const a = await instance()
  const b = await instance()
  const heard: string[] = []
  b.listen('config', (p) => heard.push(p))
  await until('connected', () => heard.length === 1)
  await admin.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'switchyard notify'",
  )
  await until('re-read after reconnect', () => heard.length === 2, 5000)
  expect(heard).toEqual(['', ''])
  await a.notify('config', 'v2')
  await until('notice after reconnect', () => heard.length === 3)
  expect(heard[2]).toBe('v2')
})

it('after a Postgres restart the listeners re-read and hear new notices; notify fails while it is down', async () => {
  const a = await instance()
  const b = await instance()
  const heard: string[] = []
  b.listen('config', (p) => heard.push(p))
  await until('connected', () => heard.length === 1)
  await server.pause()
  try {
    await expect(a.notify('config', 'lost')).rejects.toThrow()
  } finally {
    await server.resume()
  }
  await until('re-read after restart', () => heard.length === 2, 10_000)
  expect(heard).toEqual(['', ''])
  await until('notify works again', () =>
    a.notify('config', 'v3').then(
      () => true,
      () => false,
    ),
  )
  await until('notice after restart', () => heard.includes('v3'))
  expect(heard).not.toContain('lost')
}, 30_000)

it('refuses bad channel names and oversized payloads; close ends the listening connection', async () => {
  const a = await instance()
  expect(() => a.listen('Config"; DROP TABLE x; --', () => undefined)).toThrow(/invalid notify channel/)
  await expect(a.notify('a b', 'x')).rejects.toThrow(/invalid notify channel/)
  await expect(a.notify('config', 'x'.repeat(8000))).rejects.toThrow(/over 7999 bytes/)
  const heard: string[] = []
  a.listen('config', (p) => heard.push(p))
  await until('connected', () => heard.length === 1)
  expect(await listening()).toBe(1)
  await a.notify('config', 'é'.repeat(3999))
  await until('big notice', () => heard.length === 2)
  await a.close()
  await until('connection gone', async () => (await listening()) === 0)
})

it('a notifier whose pool is not open yet connects once it is', async () => {
  let pool: PgPool | undefined
  const notifier = pgNotifier({ pool: () => pool })
  const heard: string[] = []
  notifier.listen('config', (p) => heard.push(p))
  await new Promise((r) => setTimeout(r, 300))
  expect(heard).toEqual([])
  await expect(notifier.notify('config', 'x')).rejects.toThrow(/not open/)
  pool = await openPgPool(server.url)
  open.push({ pool, notifier })
  await until('connected', () => heard.length === 1, 5000)
})
