import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigFile, parseConfig } from '../../src-gateway/config/load.js'
import { createSealedFileStore, type SecretCipher } from '../../src-gateway/config/secrets.js'
import { buildGateway } from '../../src-gateway/server.js'
import { UNREADABLE_BODY } from '../../src-gateway/store/log-queries.js'
import { ADMIN_ENV, fetchAsAdmin } from '../helpers/gateway.js'
import { runTool } from '../helpers/run-tool.js'
import { serveFromSource } from '../helpers/serve-source.js'
import { type RunningMock, sendJson, startMockUpstream, startScriptedUpstream } from '../helpers/upstreams.js'

// Encryption at rest (issue #11): with `logs.encryptBodies` the prompt and the answer never reach the
// database files in clear, the admin API still shows them, a wrong key degrades to a marker, a missing
// key stops `serve`; and provider keys never reach disk in any mode.

const root = join(import.meta.dirname, '..', '..')
const cli = join(root, 'src-gateway/cli.ts')
const hex32 = () => randomBytes(32).toString('hex')

let mock: RunningMock
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-enc-'))
  dirs.push(d)
  return d
}

beforeAll(async () => {
  mock = await startMockUpstream()
})
afterAll(async () => {
  await mock?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Every byte of every file in the data dir (database, WAL, config, secret files), as one string. */
function dataDirBytes(dataDir: string): string {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n')
}

/** Log rows as the admin API lists them, once `n` exist (the writer flushes within a fraction of a second). */
async function waitForLogs(url: string, n: number): Promise<{ id: number; status: number }[]> {
  const until = Date.now() + 5000
  for (;;) {
    const { items } = (await (await fetchAsAdmin(`${url}/admin/v1/logs`)).json()) as {
      items: { id: number; status: number }[]
    }
    if (items.length >= n || Date.now() > until) return items
    await new Promise((r) => setTimeout(r, 50))
  }
}

const getJson = async (url: string) => {
  const res = await fetchAsAdmin(url)
  expect(res.status).toBe(200)
  return res.json()
}

describe('encrypted request bodies', () => {
  it('keep prompt and answer out of the database files, read back through the admin API', async () => {
    const dataDir = tempDir()
    const configPath = join(dataDir, 'config.yaml')
    writeFileSync(
      configPath,
      `providers:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\nlogs: { encryptBodies: true }\n`,
    )
    const key = hex32()
    const prompt = `pelican-sunset-${randomBytes(6).toString('hex')}`
    const streamedPrompt = `heron-dawn-${randomBytes(6).toString('hex')}`

    const gw = await serveFromSource(dataDir, ['--config', configPath], { SWITCHYARD_BODY_KEY: key, ...ADMIN_ENV })
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 })
    const answer = await openai.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: prompt }],
    })
    expect(answer.choices[0].message.content).toBe(`Echo: ${prompt}`)
    let streamed = ''
    const stream = await openai.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: streamedPrompt }],
      stream: true,
    })
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? ''
    expect(streamed).toBe(`Echo: ${streamedPrompt}`)

    const items = await waitForLogs(gw.url, 2)
    expect(items).toHaveLength(2)
    // While running, the rows sit in the WAL; after shutdown, in the checkpointed database.
    const live = dataDirBytes(dataDir)
    expect(live).toContain('enc:v1:')
    for (const secret of [prompt, streamedPrompt, key]) expect(live).not.toContain(secret)

    const [streamedRow, plainRow] = items
    const detail = await getJson(`${gw.url}/admin/v1/logs/${plainRow.id}`)
    expect(detail.bodyError).toBeNull()
    expect(detail.requestBody.messages).toEqual([{ role: 'user', content: prompt }])
    expect(detail.responseBody.choices[0].message.content).toBe(`Echo: ${prompt}`)
    const streamedDetail = await getJson(`${gw.url}/admin/v1/logs/${streamedRow.id}`)
    expect(streamedDetail.requestBody.messages[0].content).toBe(streamedPrompt)
    expect(JSON.stringify(streamedDetail.responseBody)).toContain(`Echo: ${streamedPrompt}`)

    expect(await gw.stop()).toBe(0)
    const closed = dataDirBytes(dataDir)
    for (const secret of [prompt, streamedPrompt, key]) expect(closed).not.toContain(secret)

    // A second run with another key: the rows list, their bodies read as a marker, nothing crashes.
    const wrong = buildGateway(loadConfigFile(configPath, { SWITCHYARD_BODY_KEY: hex32() }), {
      webRoot: false,
      dataDir,
      configPath,
    })
    try {
      const list = await wrong.inject({
        method: 'GET',
        url: '/admin/v1/logs',
        headers: { authorization: `Bearer ${wrong.adminToken}` },
      })
      expect(list.json().items).toHaveLength(2)
      const res = await wrong.inject({
        method: 'GET',
        url: `/admin/v1/logs/${plainRow.id}`,
        headers: { authorization: `Bearer ${wrong.adminToken}` },
      })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({
        requestBody: UNREADABLE_BODY,
        responseBody: UNREADABLE_BODY,
        bodyError: expect.stringMatching(/different key/),
      })
      // Replay skips what it cannot open instead of failing on it.
      const replay = await wrong.inject({
        method: 'POST',
        url: '/admin/v1/compare/replay',
        headers: { authorization: `Bearer ${wrong.adminToken}` },
        payload: { limit: 5, models: ['mock/mock-gpt'] },
      })
      expect(replay.statusCode).toBe(400)
      expect(replay.json().error.message).toMatch(/2 could not be read/)
    } finally {
      await wrong.close()
    }

    // Encryption turned off later, same key: what was sealed still reads; new rows are plain.
    writeFileSync(configPath, `providers:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\n`)
    const off = buildGateway(loadConfigFile(configPath, { SWITCHYARD_BODY_KEY: key }), {
      webRoot: false,
      dataDir,
      configPath,
    })
    try {
      const res = await off.inject({
        method: 'GET',
        url: `/admin/v1/logs/${plainRow.id}`,
        headers: { authorization: `Bearer ${off.adminToken}` },
      })
      expect(res.json().requestBody.messages[0].content).toBe(prompt)
      expect(off.requestLog.encryptsBodies).toBe(false)
    } finally {
      await off.close()
    }
  }, 40_000)

  it('stop `serve` with a message naming the variable when there is no key, or a malformed one', async () => {
    const dataDir = tempDir()
    const configPath = join(dataDir, 'config.yaml')
    writeFileSync(configPath, 'logs: { encryptBodies: true }\n')
    const args = ['--import', 'tsx', cli, 'serve', '--port', '0', '--data-dir', dataDir, '--config', configPath]
    const missing = await runTool(process.execPath, args, { HOME: dataDir }, root)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^switchyard: logs\.encryptBodies is on .*SWITCHYARD_BODY_KEY/)
    expect(missing.stderr).not.toMatch(/\n\s+at /)
    expect(missing.stdout).not.toContain('listening')

    const malformed = await runTool(
      process.execPath,
      args,
      { HOME: dataDir, SWITCHYARD_BODY_KEY: 'correct horse battery staple' },
      root,
    )
    expect(malformed.code).toBe(1)
    expect(malformed.stderr).toMatch(/^switchyard: SWITCHYARD_BODY_KEY must be 64 hex characters/)
  }, 40_000)
})

describe('the desktop app', () => {
  it('encrypts with no variable set, keeping a key it generates in its keychain store', async () => {
    // src-main passes a store sealed by Electron's safeStorage; this stand-in seals by reversing bytes.
    const standIn: SecretCipher = {
      sealedBy: 'test-keychain',
      seal: (plain) => Buffer.from(plain).reverse(),
      open: (sealed) => Buffer.from(sealed).reverse().toString('utf8'),
    }
    const dataDir = tempDir()
    const keychain = () =>
      createSealedFileStore(join(dataDir, 'body-key.keychain.json'), standIn, { kind: 'os-keychain' })
    const config = () =>
      parseConfig(
        `providers:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\nlogs: { encryptBodies: true }\n`,
        'yaml',
        {},
      )
    const prompt = `egret-noon-${randomBytes(6).toString('hex')}`

    const first = buildGateway(config(), { webRoot: false, dataDir, bodyKeys: keychain() })
    const url = await first.listen({ host: '127.0.0.1', port: 0 })
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 })
    await openai.chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: prompt }] })
    first.requestLog.flush()
    expect(first.requestLog.encryptsBodies).toBe(true)
    expect(dataDirBytes(dataDir)).not.toContain(prompt)
    await first.close()
    expect(keychain().names()).toEqual(['body-key'])

    // The next start finds the same key in the keychain and reads what the first one sealed.
    const second = buildGateway(config(), { webRoot: false, dataDir, bodyKeys: keychain() })
    try {
      const { items } = (
        await second.inject({
          method: 'GET',
          url: '/admin/v1/logs',
          headers: { authorization: `Bearer ${second.adminToken}` },
        })
      ).json()
      const detail = (
        await second.inject({
          method: 'GET',
          url: `/admin/v1/logs/${items[0].id}`,
          headers: { authorization: `Bearer ${second.adminToken}` },
        })
      ).json()
      expect(detail.requestBody.messages[0].content).toBe(prompt)
      expect(detail.bodyError).toBeNull()
    } finally {
      await second.close()
    }
  })
})

describe('provider keys', () => {
  it('never reach the database, the config file, the secret file, exports or output', async () => {
    // Keys not shaped like any vendor's, so only the configured-secret stripping can catch them.
    const envKey = `envkey-${hex32()}`
    const storedKey = `storedkey-${hex32()}`
    // An upstream that quotes the credential back: in the answer, and in a 401 for model "bad".
    const upstream = await startScriptedUpstream({
      'POST /v1/chat/completions': (req, res) => {
        const auth = String(req.headers.authorization ?? '')
        const body = req.body as { model: string; messages: { content: string }[] }
        if (body.model === 'bad') {
          return sendJson(res, 401, { error: { message: `Incorrect API key provided: ${auth}`, type: 'auth' } })
        }
        sendJson(res, 200, {
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `you sent ${auth} and "${body.messages[0].content}"` },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        })
      },
    })
    const dataDir = tempDir()
    const configPath = join(dataDir, 'config.yaml')
    writeFileSync(
      configPath,
      `providers:\n  envp: { type: openai-compatible, baseUrl: "${upstream.url}/v1", apiKey: "\${env:ENC_TEST_PROVIDER_KEY}" }\n`,
    )
    const gw = await serveFromSource(dataDir, ['--config', configPath], {
      ...ADMIN_ENV,
      ENC_TEST_PROVIDER_KEY: envKey,
      SWITCHYARD_SECRET_KEY: 'a passphrase for the secret file',
    })
    try {
      // A key typed into the UI after start goes to the secret store, and the config gets a reference.
      const added = await fetchAsAdmin(`${gw.url}/admin/v1/providers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'secp',
          type: 'openai-compatible',
          baseUrl: `${upstream.url}/v1`,
          apiKey: storedKey,
        }),
      })
      expect(added.status).toBe(201)

      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 })
      for (const [provider, key] of [
        ['envp', envKey],
        ['secp', storedKey],
      ]) {
        const ok = await openai.chat.completions.create({
          model: `${provider}/m`,
          messages: [{ role: 'user', content: `my key is ${key}` }],
        })
        expect(ok.choices[0].message.content).toContain(key)
        await expect(
          openai.chat.completions.create({ model: `${provider}/bad`, messages: [{ role: 'user', content: 'hi' }] }),
        ).rejects.toMatchObject({ status: 401 })
      }
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(
        expect.arrayContaining([`Bearer ${envKey}`, `Bearer ${storedKey}`]),
      )

      const items = await waitForLogs(gw.url, 4)
      expect(items).toHaveLength(4)
      const texts = [dataDirBytes(dataDir)]
      for (const path of [
        '/admin/v1/config/export',
        '/admin/v1/config/export?format=json',
        '/admin/v1/logs/export',
        '/admin/v1/logs/export?format=csv',
        '/admin/v1/providers',
        ...items.map((i) => `/admin/v1/logs/${i.id}`),
      ]) {
        const res = await fetchAsAdmin(`${gw.url}${path}`)
        expect(res.status).toBe(200)
        texts.push(await res.text())
      }
      const config = readFileSync(configPath, 'utf8')
      expect(config).toContain('${env:ENC_TEST_PROVIDER_KEY}')
      expect(config).toContain('${secret:providers.secp.apiKey}')
      expect(readFileSync(join(dataDir, 'secrets.enc.json'), 'utf8')).toContain('providers.secp.apiKey')
      // The stored rows kept what was around the keys, so there was something to leak.
      expect(texts.join('\n')).toContain('my key is [redacted]')
      expect(await gw.stop()).toBe(0)
      texts.push(dataDirBytes(dataDir), gw.output())
      for (const key of [envKey, storedKey]) {
        expect(texts.join('\n')).not.toContain(key)
        expect(texts.join('\n')).not.toContain(key.slice(-24))
      }
    } finally {
      await gw.stop()
      await upstream.stop()
    }
  }, 40_000)
})
