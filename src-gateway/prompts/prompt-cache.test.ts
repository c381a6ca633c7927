import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PostgresServer, startPostgres } from '../../test/helpers/postgres-server.js'
import { Alerts } from '../alerts/alerts.js'
import { type PgLifecycle, pgLifecycle } from '../store/pg/lifecycle.js'
import { pgPromptStore } from '../store/pg/prompt-store.js'
import { cachedPromptStore, PROMPT_CACHE_MS } from './prompt-cache.js'
import { selectVersion } from './select-version.js'

// Prompt runs on a shared Postgres read the prompt from memory once warm (decision S4): a change made through
// another instance reaches this one's copy by NOTIFY within a second, a lost notice within PROMPT_CACHE_MS, and a
// warm prompt still runs while the database is down.

let server: PostgresServer
const lifecycles: PgLifecycle[] = []
beforeAll(async () => {
  server = await startPostgres()
}, 60_000)
afterAll(async () => {
  for (const pg of lifecycles) await pg.close()
  await server?.stop()
})

async function instance(clock: () => number = Date.now) {
  const pg = pgLifecycle(
    server.url,
    new Alerts({}, { clock: Date.now, warn: () => undefined }),
    Date.now,
    () => undefined,
  )
  lifecycles.push(pg)
  await pg.open()
  const store = cachedPromptStore(pgPromptStore(pg), pg.notifier, clock)
  // Listening starts with a "re-read everything" ('') once LISTEN is in place: wait for it, so it does not empty
  // the copy in the middle of the test.
  await new Promise<void>((resolve) => {
    const stop = pg.notifier.listen('prompts', (payload) => {
      if (payload !== '') return
      stop()
      resolve()
    })
  })
  return { pg, store }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 1000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Resolves when `pg`'s instance hears a notice about `name`. */
function notice(pg: PgLifecycle, name: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = pg.notifier.listen('prompts', (payload) => {
      if (payload !== name) return
      stop()
      resolve()
    })
  })
}

const content = (text: string) => ({ model: 'mock/m', messages: [{ role: 'user' as const, content: text }] })
const served = async (store: Parameters<typeof selectVersion>[0]) =>
  (await selectVersion(store, 'greet', { label: 'prod' }, 'caller')).version.version

it('another instance’s label move reaches the warm copy within a second; a warm prompt runs while Postgres is down', async () => {
  let now = Date.now()
  const a = await instance(() => now)
  const b = await instance()
  await b.store.saveVersion('greet', content('one'))
  await b.store.saveVersion('greet', content('two'))
  await b.store.setLabel('greet', 'prod', { version: 1 })
  expect(await served(a.store)).toBe(1)

  const heard = notice(a.pg, 'greet')
  await b.store.setLabel('greet', 'prod', { version: 2 })
  // Within a second on an idle machine; 3 s here for a loaded CI, still short of the 5 s re-read, so only the notice
  // can have brought it.
  await until('the move reaches A', async () => (await served(a.store)) === 2, 3000)

  // Warm (after the notice, which empties the copy once more): no round trip, so a database that went away does
  // not stop the run's reads.
  await heard
  expect(await served(a.store)).toBe(2)
  await a.store.workspaceOf('greet')
  const reconnected = notice(a.pg, '')
  await server.pause()
  try {
    expect(await served(a.store)).toBe(2)
    expect(await a.store.workspaceOf('greet')).toBe('default')
  } finally {
    await server.resume()
  }
  // Back: the notifier's reconnect says "re-read everything", as notices may have been lost meanwhile.
  await reconnected
  expect(await served(a.store)).toBe(2)

  // A change whose notice never came (written straight to the table) is read once the copy is older than the bound.
  await a.pg.pool()!.query(`UPDATE prompt_labels SET target_json = '{"version":1}' WHERE label = 'prod'`)
  expect(await served(a.store)).toBe(2)
  now += PROMPT_CACHE_MS
  expect(await served(a.store)).toBe(1)
}, 60_000)
