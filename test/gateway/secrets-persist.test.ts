import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openEncryptedFileStore } from '../../src-gateway/config/secrets.js'
import { type SourceServe, serveFromSource } from '../helpers/serve-source.js'

// Issue 17 point 2: headless without a keychain or SWITCHYARD_SECRET_KEY, a key created in the UI and a
// provider key typed there survive a restart (the secret store is sealed with a generated key kept in
// the data folder), and a key whose reference has no value stops the start instead of locking every
// caller out.

const dirs: string[] = []
const running: SourceServe[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-secrets-persist-'))
  dirs.push(d)
  return d
}
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** No SWITCHYARD_SECRET_KEY, no admin token: what a newcomer's shell has. */
const ENV = { LOG_LEVEL: 'error' }
const CONFIG = 'providers: {}\ndiscovery: { enabled: false }\n'

async function serve(dataDir: string, env: Record<string, string> = ENV, args: string[] = []) {
  const s = await serveFromSource(dataDir, args, env)
  running.push(s)
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${s.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    })
  return { ...s, admin }
}

/** Runs `serve` expecting it to exit; resolves with everything it printed. */
async function failedStart(dataDir: string, args: string[], env: Record<string, string>): Promise<string> {
  const err = await serveFromSource(dataDir, args, env).then(
    async (s) => {
      running.push(s)
      throw new Error(`serve started:\n${s.output()}`)
    },
    (e: Error) => e,
  )
  expect(err.message).toMatch(/serve exited 1/)
  return err.message
}

// Each case starts `serve` from source two or three times: seconds each on a busy 2-core machine.
describe('secrets created at run time survive a restart', { timeout: 60_000 }, () => {
  it('keeps a client key and a provider key across a restart, sealed with a generated key file', async () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'config.yaml'), CONFIG)
    const first = await serve(dataDir)
    const created = await first.admin('/admin/v1/keys', { method: 'POST', body: JSON.stringify({ name: 'laptop' }) })
    expect(created.status).toBe(201)
    const { key } = (await created.json()) as { key: string }
    const provider = await first.admin('/admin/v1/providers', {
      method: 'POST',
      body: JSON.stringify({
        id: 'remote',
        type: 'openai',
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: 'sk-typed-in-ui-0123456789',
      }),
    })
    expect(provider.status).toBe(201)
    expect((await fetch(`${first.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    expect(await first.stop()).toBe(0)

    const keyFile = join(dataDir, 'secret-key')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    // Sealed, not in clear.
    expect(readFileSync(join(dataDir, 'secrets.enc.json'), 'utf8')).not.toContain('sk-typed-in-ui')

    const second = await serve(dataDir)
    expect((await fetch(`${second.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    expect((await fetch(`${second.url}/v1/models`)).status).toBe(401)
    const keys = (await (await second.admin('/admin/v1/keys')).json()) as { items: { name: string }[] }
    expect(keys.items.map((k) => k.name)).toEqual(['laptop'])
    const remote = (await (await second.admin('/admin/v1/providers/remote')).json()) as { hasApiKey: boolean }
    expect(remote.hasApiKey).toBe(true)
    expect(await second.stop()).toBe(0)
    // Said once per start: where the key is, who can read the secrets, how to keep the key elsewhere.
    for (const out of [first.output(), second.output()]) {
      const lines = out.split('\n').filter((l) => l.includes(keyFile))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/anyone who can read .* can read .*SWITCHYARD_SECRET_KEY/)
    }
  })

  it('with SWITCHYARD_SECRET_KEY makes no key file, and refuses to start over its file once it is unset', async () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'config.yaml'), CONFIG)
    const withKey = await serve(dataDir, { ...ENV, SWITCHYARD_SECRET_KEY: 'a passphrase kept elsewhere' })
    expect(withKey.output()).not.toContain('secret-key')
    const created = await withKey.admin('/admin/v1/keys', { method: 'POST', body: JSON.stringify({ name: 'ci' }) })
    expect(created.status).toBe(201)
    await withKey.stop()
    expect(() => statSync(join(dataDir, 'secret-key'))).toThrow()
    expect(openEncryptedFileStore(join(dataDir, 'secrets.enc.json'), 'a passphrase kept elsewhere').names()).toEqual([
      'keys.ci.key',
    ])

    const out = await failedStart(dataDir, [], ENV)
    expect(out).toMatch(/secrets\.enc\.json was sealed with SWITCHYARD_SECRET_KEY, which is not set/)
    expect(() => statSync(join(dataDir, 'secret-key'))).toThrow()
  })
})

describe('a key reference without a value', { timeout: 60_000 }, () => {
  it('stops the start and names the key', async () => {
    const dataDir = tempDir()
    const config = join(dataDir, 'keys.yaml')
    writeFileSync(config, `${CONFIG}keys:\n  - { name: ci, key: "\${env:SWITCHYARD_KEY_CI}" }\n`)
    const out = await failedStart(dataDir, ['--config', config], ENV)
    expect(out).toContain("key 'ci': ${env:SWITCHYARD_KEY_CI} is not set")
    const ok = await serve(dataDir, { ...ENV, SWITCHYARD_KEY_CI: 'sy-ci-key-0123456789' }, ['--config', config])
    const models = await fetch(`${ok.url}/v1/models`, { headers: { authorization: 'Bearer sy-ci-key-0123456789' } })
    expect(models.status).toBe(200)
    await ok.stop()
  })

  it('warns at start about a provider whose key reference has no value', async () => {
    const dataDir = tempDir()
    writeFileSync(
      join(dataDir, 'config.yaml'),
      'providers:\n  openai: { type: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: "${env:OPENAI_API_KEY}" }\ndiscovery: { enabled: false }\n',
    )
    const s = await serve(dataDir)
    await s.stop()
    expect(s.output()).toMatch(/warning: provider 'openai': apiKey \$\{env:OPENAI_API_KEY\} is not set/)
  })
})
