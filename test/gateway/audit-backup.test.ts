import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { loadConfigFile, parseConfig } from '../../src-gateway/config/load.js'
import { openEncryptedFileStore } from '../../src-gateway/config/secrets.js'
import { latestVersion, saveVersion } from '../../src-gateway/prompts/prompt-store.js'
import { buildGateway } from '../../src-gateway/server.js'
import { closeDatabase, openDatabase } from '../../src-gateway/store/db.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { runTool, toolBin } from '../helpers/run-tool.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Admin answers are checked field by field; typing each shape here would only restate the assertions.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>

const PLAIN_KEY = 'sk-plain-SECRET-1111111111-file'
const ADMIN_TOKEN = 'admin-token-SECRET-2222222222'
const USER_AGENT = 'audit-test/1.0'
const CLI = join(import.meta.dirname, '../../src-gateway/cli.ts')

const configYaml = (mockUrl: string) => `
# Kept across restores: comments on untouched sections survive.
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1", apiKey: ${PLAIN_KEY} }
routes:
  fast:
    targets: [{ model: mock/mock-gpt }]
server: { adminToken: "\${env:TEST_ADMIN_TOKEN}" }
discovery: { enabled: false }
`

/** Every file under `dir`, as text: the database, its WAL, the config, the secret file and backups. */
function everyFile(dir: string): string {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'latin1'))
    .join('\n')
}

describe('audit trail and backups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-audit-'))
  const configPath = join(dir, 'config.yaml')
  const texts: string[] = []
  const secrets: string[] = [PLAIN_KEY, ADMIN_TOKEN]
  let mock: RunningMock
  let app: FastifyInstance
  let url: string
  let client: OpenAI

  /** The web UI's session: calls made with it are audited as `session`, those with the token as `admin-token`. */
  let session: string
  async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${url}/admin/v1${path}`, {
      method,
      headers: {
        'user-agent': USER_AGENT,
        cookie: session,
        'x-switchyard-csrf': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    texts.push(text)
    return { status: res.status, headers: res.headers, text, json: (): Json => JSON.parse(text) }
  }
  const audit = async (query: string) => (await admin('GET', `/audit${query}`)).json()
  const chat = (model: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
      (r) => r.choices[0].message.content,
      (err) => err.status as number,
    )

  beforeAll(async () => {
    mock = await startMockUpstream()
    writeFileSync(configPath, configYaml(mock.url))
    app = buildGateway(loadConfigFile(configPath, { TEST_ADMIN_TOKEN: ADMIN_TOKEN }), {
      webRoot: false,
      dataDir: dir,
      configPath,
      secrets: openEncryptedFileStore(join(dir, 'secrets.enc.json'), 'audit-test-passphrase'),
    })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 })
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    session = (login.headers.get('set-cookie') ?? '').split(';')[0]
  })
  afterAll(async () => {
    await app?.close()
    await mock?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('takes a daily snapshot at start when there is none', async () => {
    const list = (await admin('GET', '/backups')).json()
    expect(list).toMatchObject({ total: 1, nextCursor: null })
    expect(list.items[0]).toMatchObject({ reason: 'daily', sizeBytes: expect.any(Number) })
    expect(Date.now() - Date.parse(list.items[0].createdAt)).toBeLessThan(60_000)
  })

  it('records creating, rotating, editing and revoking a key, with actor and diff but never the secret', async () => {
    const created = await admin('POST', '/keys', { name: 'ci', limits: { rpm: 60 } })
    expect(created.status).toBe(201)
    const first = created.json().key as string
    const rotated = await admin('POST', '/keys/ci/rotate')
    const second = rotated.json().key as string
    // The two answers that show a secret, once, by design; every other text is checked for it at the end.
    texts.splice(-2)
    secrets.push(first, second)
    expect(second).not.toBe(first)
    expect((await admin('PUT', '/keys/ci', { limits: { rpm: 120 } })).status).toBe(200)
    expect((await admin('DELETE', '/keys/ci')).status).toBe(204)

    const { items, total } = await audit('?target=ci')
    expect(total).toBe(4)
    expect(items.map((e: Json) => e.action)).toEqual(['key.revoke', 'key.update', 'key.rotate', 'key.create'])
    for (const e of items) {
      expect(e).toMatchObject({ actor: 'session', remoteAddress: '127.0.0.1', userAgent: USER_AGENT, target: 'ci' })
      expect(e.requestId).toMatch(/^req_/)
      expect(Date.now() - Date.parse(e.createdAt)).toBeLessThan(60_000)
    }
    const [revoke, update, rotate, create] = items
    expect(create.diff).toContainEqual({
      path: 'keys.ci',
      after: { key: '${secret:keys.ci.key}', limits: { rpm: 60 } },
    })
    // The rotation keeps the reference and changes the value behind it: shown masked, as the key list shows it.
    const hint = (s: string) => `${s.slice(0, 3)}…${s.slice(-4)}`
    expect(rotate.diff).toEqual([{ path: 'secrets.keys.ci.key', before: hint(first), after: hint(second) }])
    expect(update.diff).toEqual([{ path: 'keys.ci.limits.rpm', before: 60, after: 120 }])
    expect(revoke.diff).toContainEqual({
      path: 'keys.ci',
      before: { key: '${secret:keys.ci.key}', limits: { rpm: 120 } },
    })
  })

  it('names the admin token as the actor when the call carries it', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
    expect((await admin('PUT', '/routes/smart', { targets: [{ model: 'mock/mock-gpt' }] }, auth)).status).toBe(201)
    const [entry] = (await audit('?target=smart')).items
    expect(entry).toMatchObject({ action: 'route.create', actor: 'admin-token' })
    expect(entry.diff).toEqual([{ path: 'routes.smart', after: { targets: [{ model: 'mock/mock-gpt' }] } }])
  })

  it('records a route edit with the targets before and after', async () => {
    const targets = [{ model: 'mock/mock-gpt' }, { model: 'mock/other' }]
    expect((await admin('PUT', '/routes/fast', { strategy: 'fallback', targets })).status).toBe(200)
    const [entry] = (await audit('?action=route.update')).items
    expect(entry).toMatchObject({ action: 'route.update', target: 'fast', actor: 'session' })
    expect(entry.diff).toEqual([
      { path: 'routes.fast.targets', before: [{ model: 'mock/mock-gpt' }], after: targets },
      { path: 'routes.fast.strategy', after: 'fallback' },
    ])
  })

  it('records prompt versions and labels, and nothing for a save that changes nothing', async () => {
    const v1 = { messages: [{ role: 'user', content: 'Hello {{name}}' }], model: 'fast' }
    expect((await admin('POST', '/prompts/greet/versions', { ...v1, note: 'first' })).status).toBe(201)
    expect((await admin('POST', '/prompts/greet/versions', v1)).status).toBe(200)
    expect((await admin('PUT', '/prompts/greet/labels/production', { version: 1 })).status).toBe(200)

    const { items } = await audit('?action=prompt')
    expect(items.map((e: Json) => e.action)).toEqual(['prompt.label', 'prompt.version'])
    expect(items[1]).toMatchObject({ target: 'greet' })
    expect(items[1].diff).toEqual([
      { path: 'promptLibrary.greet', after: { version: 1, note: 'first', ...v1, labels: {} } },
    ])
    expect(items[0].diff).toEqual([{ path: 'promptLibrary.greet.labels.production', after: { version: 1 } }])
  })

  it('filters by action area, actor, target, time and text, and pages newest first', async () => {
    expect((await audit('?action=key')).total).toBe(4)
    expect((await audit('?action=key.rotate')).items.map((e: Json) => e.action)).toEqual(['key.rotate'])
    expect((await audit('?actor=admin-token')).items.map((e: Json) => e.target)).toEqual(['smart'])
    expect((await audit('?actor=session&target=fast')).total).toBe(1)
    expect((await audit('?q=production')).items.map((e: Json) => e.action)).toEqual(['prompt.label'])
    const all = await audit('')
    expect(all.total).toBe(8)
    expect((await audit(`?until=${encodeURIComponent(all.items.at(-1).createdAt)}`)).total).toBe(0)
    expect((await audit(`?since=${encodeURIComponent(all.items[0].createdAt)}`)).total).toBeGreaterThanOrEqual(1)
    expect((await audit('?since=2999-01-01T00:00:00Z')).total).toBe(0)

    const page1 = await audit('?limit=3')
    const page2 = await audit(`?limit=3&cursor=${page1.nextCursor}`)
    expect([...page1.items, ...page2.items].map((e: Json) => e.id)).toEqual(
      all.items.slice(0, 6).map((e: Json) => e.id),
    )
    const ids = all.items.map((e: Json) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))

    const bad = await admin('GET', '/audit?since=yesterday')
    expect(bad.status).toBe(400)
    expect(bad.json().error.param).toBe('since')
  })

  let manual: Json
  it('takes a manual backup with the config as written and every prompt version and label', async () => {
    const res = await admin('POST', '/backups')
    expect(res.status).toBe(201)
    manual = res.json()
    expect(manual).toMatchObject({ reason: 'manual', id: expect.stringMatching(/-manual$/) })
    const download = await admin('GET', `/backups/${manual.id}`)
    expect(download.headers.get('content-disposition')).toContain(`switchyard-backup-${manual.id}.json`)
    const backup = download.json()
    expect(backup).toMatchObject({ format: 'switchyard-backup/1', reason: 'manual', appVersion: expect.any(String) })
    // The plain key of the hand-written file appears only as the reference it is sealed under.
    expect(backup.config.providers.mock.apiKey).toBe('${secret:providers.mock.apiKey}')
    expect(backup.config.server.adminToken).toBe('${env:TEST_ADMIN_TOKEN}')
    expect(Object.keys(backup.config.routes)).toEqual(['fast', 'smart'])
    expect(backup.prompts).toHaveLength(1)
    expect(backup.prompts[0]).toMatchObject({
      name: 'greet',
      versions: [{ version: 1, note: 'first', content: { model: 'fast' } }],
      labels: [{ label: 'production', target: { version: 1 } }],
    })
    expect((await admin('GET', '/audit?action=backup.create')).json().items[0].target).toBe(manual.id)
  })

  it('backs up before an import, and records the import with what it changed', async () => {
    const text = `
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
discovery: { enabled: false }
`
    const dry = await admin('POST', '/config/import', { text, apply: false })
    expect(dry.json()).toMatchObject({ valid: true, applied: false })
    const before = (await admin('GET', '/backups')).json().items.length
    expect((await admin('GET', '/audit?action=config.import')).json().total).toBe(0)

    expect((await admin('POST', '/config/import', { text, apply: true })).json().applied).toBe(true)
    const backups = (await admin('GET', '/backups')).json().items
    expect(backups).toHaveLength(before + 1)
    expect(backups[0].reason).toBe('pre-import')
    const preImport = (await admin('GET', `/backups/${backups[0].id}`)).json()
    expect(Object.keys(preImport.config.routes)).toEqual(['fast', 'smart'])

    const [entry] = (await audit('?action=config.import')).items
    expect(entry.target).toBe('providers, routes, server, secrets')
    const paths = entry.diff.map((c: Json) => c.path)
    expect(paths).toEqual(
      expect.arrayContaining(['routes', 'server', 'providers.mock.apiKey', 'secrets.providers.mock.apiKey']),
    )
    expect(entry.diff.find((c: Json) => c.path === 'secrets.providers.mock.apiKey')).toEqual({
      path: 'secrets.providers.mock.apiKey',
      before: 'sk-…file',
    })
    // The running gateway follows the imported config: the route is gone.
    expect(await chat('fast')).toBe(404)
  })

  it('previews and restores a backup: config live and on disk, prompts with the same versions and labels', async () => {
    await admin('POST', '/prompts/greet/versions', { messages: [{ role: 'user', content: 'Bye' }] })
    await admin('PUT', '/prompts/greet/labels/production', { version: 2 })
    await admin('POST', '/prompts/other/versions', { messages: [{ role: 'user', content: 'x' }] })
    const summaryBefore = (await admin('GET', '/prompts/greet')).json()

    const preview = (await admin('GET', `/backups/${manual.id}/preview`)).json()
    expect(preview).toMatchObject({ valid: true, prompts: { added: [], removed: ['other'], changed: ['greet'] } })
    expect(preview.changes).toContainEqual({ kind: 'add', section: 'routes', name: 'fast' })

    const restored = await admin('POST', `/backups/${manual.id}/restore`)
    expect(restored.status).toBe(200)
    expect(restored.json()).toMatchObject({ restored: manual.id, preRestore: { reason: 'pre-restore' } })
    expect(await chat('fast')).toBe('Echo: hi')
    expect(parseYaml(readFileSync(configPath, 'utf8')).routes.fast).toEqual({
      strategy: 'fallback',
      targets: [{ model: 'mock/mock-gpt' }, { model: 'mock/other' }],
    })

    const versions = (await admin('GET', '/prompts/greet/versions')).json()
    expect(versions.items.map((v: Json) => [v.version, v.note, v.content.messages[0].content])).toEqual([
      [1, 'first', 'Hello {{name}}'],
    ])
    const greet = (await admin('GET', '/prompts/greet')).json()
    expect(greet.labels.map((l: Json) => [l.label, l.target])).toEqual([['production', { version: 1 }]])
    expect(greet.createdAt).toBe(summaryBefore.createdAt)
    expect((await admin('GET', '/prompts/other')).status).toBe(404)

    const [entry] = (await audit('?action=backup.restore')).items
    expect(entry.target).toBe(manual.id)
    const paths = entry.diff.map((c: Json) => c.path)
    expect(paths).toEqual(expect.arrayContaining(['routes', 'promptLibrary.other', 'promptLibrary.greet.version']))

    // The pre-restore snapshot holds what the restore replaced, so the restore can be undone.
    const pre = (await admin('GET', `/backups/${restored.json().preRestore.id}`)).json()
    expect(pre.config.routes).toBeUndefined()
    expect(pre.prompts.map((p: Json) => p.name).sort()).toEqual(['greet', 'other'])
  })

  it('refuses unknown and malformed backup ids', async () => {
    expect((await admin('GET', '/backups/2020-01-01T00-00-00-000Z-manual')).status).toBe(404)
    expect((await admin('POST', '/backups/..%2Fconfig/restore')).status).toBe(400)
  })

  it('deletes a backup and records it', async () => {
    expect((await admin('DELETE', `/backups/${manual.id}`)).status).toBe(204)
    expect((await admin('GET', '/backups')).json().items.map((b: Json) => b.id)).not.toContain(manual.id)
    expect((await audit('?action=backup.delete')).items[0].target).toBe(manual.id)
  })

  it('keeps every key secret out of the audit answers, the database and the backups', async () => {
    await app.close()
    const everything = [...texts, everyFile(dir)].join('\n')
    expect(texts.length).toBeGreaterThan(40)
    expect(existsSync(join(dir, 'backups'))).toBe(true)
    for (const s of secrets) expect(everything).not.toContain(s)
  })
})

describe('audit and backups without a data dir', () => {
  it('answer 503 and say why', async () => {
    const app = buildGateway(parseConfig('providers: {}', 'yaml', {}), { webRoot: false })
    try {
      for (const url of ['/admin/v1/audit', '/admin/v1/backups']) {
        const res = await app.inject({ method: 'GET', url, headers: adminHeadersOf(app) })
        expect(res.statusCode).toBe(503)
        expect(res.json().error.message).toContain('data dir')
      }
    } finally {
      await app.close()
    }
  })
})

describe('daily snapshots', () => {
  it('are taken at start only when the newest is a day old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-daily-'))
    const start = async (now: number) => {
      const app = buildGateway(parseConfig('providers: {}', 'yaml', {}), {
        webRoot: false,
        dataDir: dir,
        context: { clock: () => now },
      })
      await app.ready()
      const headers = adminHeadersOf(app)
      const items = (await app.inject({ method: 'GET', url: '/admin/v1/backups', headers })).json().items
      await app.close()
      return items.map((b: Json) => b.reason)
    }
    try {
      const now = Date.now()
      expect(await start(now)).toEqual(['daily'])
      expect(await start(now + 3_600_000)).toEqual(['daily'])
      expect(await start(now + 25 * 3_600_000)).toEqual(['daily', 'daily'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('switchyard backup and restore', () => {
  it('snapshot and restore the files of a stopped gateway', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-backup-'))
    const configPath = join(dir, 'team.yaml')
    const cli = (...args: string[]) => runTool(toolBin('tsx'), [CLI, ...args], { HOME: dir }, dir)
    try {
      writeFileSync(
        configPath,
        `# team config
providers:
  local: { type: ollama, baseUrl: "http://127.0.0.1:9", apiKey: ${PLAIN_KEY} }
routes:
  fast: { targets: [{ model: local/llama3 }] }
`,
      )
      const db = openDatabase(dir)
      saveVersion(db, 'greet', { messages: [{ role: 'user', content: 'v1' }] }, { note: 'kept' })
      closeDatabase(db)

      const out = join(dir, 'snapshot.json')
      const backedUp = await cli('backup', '--data-dir', dir, '--config', configPath, '--out', out)
      expect(backedUp.stderr).toBe('')
      expect(backedUp.code).toBe(0)
      expect(backedUp.stdout).toContain(out)
      const file = readFileSync(out, 'utf8')
      expect(file).not.toContain(PLAIN_KEY)
      expect(JSON.parse(file)).toMatchObject({
        reason: 'manual',
        config: { routes: { fast: { targets: [{ model: 'local/llama3' }] } } },
        prompts: [{ name: 'greet', versions: [{ version: 1, note: 'kept' }] }],
      })

      // Without --out it goes where the gateway keeps its own.
      const inDir = await cli('backup', '--data-dir', dir, '--config', configPath)
      expect(inDir.code).toBe(0)
      expect(readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('-manual.json'))).toHaveLength(1)

      // Change both, then restore the snapshot.
      writeFileSync(configPath, '# team config\nproviders: {}\n')
      const changed = openDatabase(dir)
      saveVersion(changed, 'greet', { messages: [{ role: 'user', content: 'v2' }] })
      saveVersion(changed, 'extra', { messages: [{ role: 'user', content: 'x' }] })
      closeDatabase(changed)

      const restored = await cli('restore', out, '--data-dir', dir, '--config', configPath)
      expect(restored.stderr).toBe('')
      expect(restored.code).toBe(0)
      expect(restored.stdout).toContain('1 prompt.')
      expect(parseYaml(readFileSync(configPath, 'utf8')).routes.fast.targets).toEqual([{ model: 'local/llama3' }])
      expect(readFileSync(configPath, 'utf8')).toContain('# team config')
      const after = openDatabase(dir)
      expect(latestVersion(after, 'greet')).toMatchObject({ version: 1, note: 'kept' })
      expect(latestVersion(after, 'extra')).toBeNull()
      closeDatabase(after)
      const pre = readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('-pre-restore.json'))
      expect(pre).toHaveLength(1)
      expect(JSON.parse(readFileSync(join(dir, 'backups', pre[0]), 'utf8')).prompts).toHaveLength(2)

      const broken = await cli('restore', join(dir, 'team.yaml'), '--data-dir', dir, '--config', configPath)
      expect(broken.code).toBe(1)
      expect(broken.stderr).toMatch(/^switchyard: not a Switchyard backup/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
