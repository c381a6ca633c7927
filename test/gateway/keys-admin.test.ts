import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigFile } from '../../src-gateway/config/load.js'
import { openEncryptedFileStore } from '../../src-gateway/config/secrets.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// Virtual-key lifecycle through the admin API, over HTTP, checked with the real OpenAI SDK: a created
// key works at once, rotation and revocation take effect at once, and the generated secret is only
// ever in the create/rotate answer: never in the list, the export, the YAML file or the database.

const PASSPHRASE = 'test passphrase for key lifecycle'

// Admin answers are checked field by field; typing each shape here would only restate the assertions.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>

describe('virtual keys through the admin API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-keys-admin-'))
  const configPath = join(dir, 'config.yaml')
  /** Every admin answer other than create/rotate, to search for secrets at the end. */
  const seen: string[] = []
  const issued: string[] = []
  let mock: RunningMock
  let app: FastifyInstance
  let url: string

  const start = async () => {
    app = buildGateway(loadConfigFile(configPath, {}), {
      webRoot: false,
      dataDir: dir,
      configPath,
      secrets: openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE),
    })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  }
  const admin = async (method: string, path: string, body?: unknown, keep = true) => {
    const res = await fetch(`${url}/admin/v1${path}`, {
      method,
      headers: {
        ...adminHeadersOf(app),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (keep) seen.push(text, JSON.stringify([...res.headers]))
    return { status: res.status, text, json: (): Json => JSON.parse(text) }
  }
  /** Create and rotate answers hold the secret by design; they are the only ones not searched. */
  const issuing = async (method: string, path: string, body?: unknown) => {
    const r = await admin(method, path, body, false)
    if (r.status < 300) issued.push(r.json().key)
    return r
  }
  const ask = (apiKey: string, model = 'mock/mock-gpt') =>
    new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 }).chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hello key' }],
    })
  const statusOf = async (p: Promise<unknown>) => {
    try {
      await p
      return 200
    } catch (err) {
      return (err as { status: number }).status
    }
  }

  beforeAll(async () => {
    mock = await startMockUpstream()
    writeFileSync(
      configPath,
      `providers:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\ndiscovery: { enabled: false }\n`,
    )
    await start()
  })
  afterAll(async () => {
    await app?.close()
    await mock?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates a key whose secret is shown once and works at once', async () => {
    const created = await issuing('POST', '/keys', {
      name: 'ci',
      models: ['mock/*'],
      limits: { rpm: 100 },
      metadata: { team: 'infra' },
    })
    expect(created.status).toBe(201)
    const body = created.json()
    expect(body).toMatchObject({ name: 'ci', models: ['mock/*'], limits: { rpm: 100 }, metadata: { team: 'infra' } })
    expect(body.key).toMatch(/^sy-[A-Za-z0-9_-]{43}$/)
    expect((await ask(body.key)).choices[0].message.content).toBe('Echo: hello key')
    // With a key configured the model API is closed to everyone else.
    expect(await statusOf(ask('sy-not-a-key'))).toBe(401)
    expect(readFileSync(configPath, 'utf8')).toContain('${secret:keys.ci.key}')

    const listed = (await admin('GET', '/keys')).json()
    expect(listed).toMatchObject({
      total: 1,
      items: [{ name: 'ci', key: `${body.key.slice(0, 4)}…${body.key.slice(-4)}` }],
    })
  })

  it('refuses a duplicate name with 409 and a bad field with 400 naming it', async () => {
    const dup = await issuing('POST', '/keys', { name: 'ci' })
    expect(dup.status).toBe(409)
    expect(dup.json().error).toMatchObject({ code: 'key_exists', param: 'name' })
    const badName = await issuing('POST', '/keys', { name: 'has space' })
    expect(badName.status).toBe(400)
    expect(badName.json().error.param).toBe('name')
    const badLimit = await issuing('POST', '/keys', { name: 'x', limits: { rpm: 0 } })
    expect(badLimit.status).toBe(400)
    expect(badLimit.json().error.param).toBe('limits.rpm')
    // The secret is generated, never chosen.
    const chosen = await issuing('POST', '/keys', { name: 'x', key: 'sy-my-own' })
    expect(chosen.status).toBe(400)
    expect(chosen.json().error.param).toBe('key')
    expect((await admin('GET', '/keys')).json().total).toBe(1)
  })

  it('changes a key’s settings with PUT, live, keeping its secret', async () => {
    const [secret] = issued
    // A field given replaces, null removes, one left out stays.
    const put = await admin('PUT', '/keys/ci', { models: ['other/*'], metadata: { team: 'data' }, limits: null })
    expect(put.status).toBe(200)
    expect(put.json()).toMatchObject({ name: 'ci', models: ['other/*'], metadata: { team: 'data' } })
    expect(put.json().limits).toBeUndefined()
    expect(await statusOf(ask(secret))).toBe(403)
    expect((await admin('PUT', '/keys/ci', { key: 'sy-my-own' })).json().error.param).toBe('key')
    expect((await admin('PUT', '/keys/ci', { name: 'renamed' })).status).toBe(400)
    expect((await admin('PUT', '/keys/nope', {})).status).toBe(404)
    expect((await admin('PUT', '/keys/ci', { models: ['mock/*'] })).status).toBe(200)
    expect(await statusOf(ask(secret))).toBe(200)
  })

  it('rotates: the old secret fails at once, the new one works and survives a restart', async () => {
    const [old] = issued
    const rotated = await issuing('POST', '/keys/ci/rotate')
    expect(rotated.status).toBe(200)
    const fresh = rotated.json().key
    expect(rotated.json()).toMatchObject({ name: 'ci', models: ['mock/*'] })
    expect(fresh).toMatch(/^sy-/)
    expect(fresh).not.toBe(old)
    expect(await statusOf(ask(old))).toBe(401)
    expect(await statusOf(ask(fresh))).toBe(200)
    expect((await issuing('POST', '/keys/nope/rotate')).status).toBe(404)

    // The secret store is the one place the secret persists: a restarted gateway still accepts it.
    await app.close()
    await start()
    expect(await statusOf(ask(fresh))).toBe(200)
    expect(await statusOf(ask(old))).toBe(401)
  })

  it('revokes: 204, and calls with the key get 401 at once', async () => {
    await issuing('POST', '/keys', { name: 'spare' })
    const fresh = issued[1]
    const spare = issued[2]
    const deleted = await admin('DELETE', '/keys/ci')
    expect(deleted.status).toBe(204)
    expect(await statusOf(ask(fresh))).toBe(401)
    expect(await statusOf(ask(spare))).toBe(200)
    expect((await admin('DELETE', '/keys/ci')).status).toBe(404)
    expect((await admin('GET', '/keys')).json().items.map((k: Json) => k.name)).toEqual(['spare'])
    expect(openEncryptedFileStore(join(dir, 'secrets.enc.json'), PASSPHRASE).names()).toEqual(['keys.spare.key'])
  })

  it('never shows a secret outside create/rotate: list, export, YAML file, database', async () => {
    expect(issued).toHaveLength(3)
    seen.push((await admin('GET', '/keys')).text)
    const exported = await admin('GET', '/config/export?format=yaml&secrets=refs')
    expect(exported.text).toContain('${secret:keys.spare.key}')
    seen.push((await admin('GET', '/config/export?format=json&secrets=omit')).text)
    await app.close()
    // The database did record the calls made with these keys.
    const db = new Database(join(dir, 'switchyard.db'), { readonly: true })
    expect(
      (db.prepare('SELECT count(*) AS n FROM request_logs WHERE key_name = ?').get('ci') as { n: number }).n,
    ).toBeGreaterThan(0)
    db.close()
    const files = ['config.yaml', 'secrets.enc.json', 'switchyard.db', 'switchyard.db-wal']
      .map((f) => join(dir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
    for (const secret of issued) {
      for (const text of [...seen, ...files]) expect(text.includes(secret)).toBe(false)
    }
  })
})
