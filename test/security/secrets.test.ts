import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify } from 'yaml'
import { parseConfig } from '../../src-gateway/config/load.js'
import { createMemorySecretStore, type SecretStore } from '../../src-gateway/config/secrets.js'
import { buildGateway } from '../../src-gateway/server.js'
import { adminHeadersOf } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// "Secrets stay sealed" (issue 16, point 3 and parts of 7): a reference planted outside a credential field
// stays literal, the admin API never returns a key, a provider's key never follows a new baseUrl, and an
// upstream error that quotes the key reaches the client without it.

const VICTIM_KEY = 'sk-victim-SECRET-0123456789-wxyz'
const ENV_KEY = 'sk-envkey-SECRET-1111111111-abcd'
const SECRET_KEY_PASSPHRASE = 'passphrase-of-the-secret-file-2222'
const CLIENT_KEY = 'sy-client-SECRET-3333333333-efgh'
// Plain credentials in a hand-edited config file, not yet moved to the secret store.
const HAND_PASSWORD = 'hand-password-SECRET-1313131313'
const HAND_QUERY = 'hand-query-SECRET-1414141414'
const HAND_HEADER = 'hand-header-SECRET-1515151515'

type Upstream = Awaited<ReturnType<typeof startScriptedUpstream>>

const CHAT_OK = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
}

async function okUpstream(): Promise<Upstream> {
  return startScriptedUpstream({
    'POST /v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_OK),
    'GET /v1/models': (_req, res) => sendJson(res, 200, { object: 'list', data: [{ id: 'm' }] }),
  })
}

interface Started {
  app: FastifyInstance
  url: string
  secrets: SecretStore
}

async function start(
  yaml: string,
  opts: { env?: NodeJS.ProcessEnv; secrets?: SecretStore; dataDir?: string } = {},
): Promise<Started> {
  const secrets = opts.secrets ?? createMemorySecretStore()
  const app = buildGateway(parseConfig(yaml, 'yaml', opts.env ?? {}), {
    webRoot: false,
    secrets,
    dataDir: opts.dataDir,
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url, secrets }
}

/** An admin call with the admin token, as any admin client must send it. */
async function admin(gw: Started, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}/admin/v1${path}`, {
    method,
    headers: {
      ...adminHeadersOf(gw.app),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, text: await res.text() }
}

async function chat(gw: Started, model: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  })
  return { status: res.status, text: await res.text() }
}

const authOf = (r: RecordedRequest) => String(r.headers.authorization ?? '')

describe('references planted outside credential fields', () => {
  let up: Upstream
  let gw: Started
  const env = { VICTIM_ENV: ENV_KEY, SWITCHYARD_SECRET_KEY: SECRET_KEY_PASSPHRASE, SY_KEY: CLIENT_KEY }

  beforeAll(async () => {
    up = await okUpstream()
    const secrets = createMemorySecretStore()
    // The victim's key as the admin API stores it: in the secret store, under the name the config refers to.
    secrets.set('providers.victim.apiKey', VICTIM_KEY)
    gw = await start(
      `
providers:
  victim: { type: openai-compatible, baseUrl: "${up.url}/v1", apiKey: "\${secret:providers.victim.apiKey}" }
  other:
    type: openai-compatible
    baseUrl: "${up.url}/v1"
    headers:
      x-planted: "\${secret:providers.victim.apiKey}"
      x-planted-env: "\${env:SWITCHYARD_SECRET_KEY}"
  handmade:
    type: openai-compatible
    baseUrl: "http://user:${HAND_PASSWORD}@127.0.0.1:9/v1?api_key=${HAND_QUERY}&region=eu"
    headers: { x-custom-auth: "${HAND_HEADER}" }
keys:
  - name: ci
    key: "\${env:SY_KEY}"
    metadata: { team: "\${secret:providers.victim.apiKey}", owner: "\${env:VICTIM_ENV}", file: "\${env:SWITCHYARD_SECRET_KEY}" }
prompts:
  leak:
    model: victim/m
    messages:
      - { role: user, content: "a \${secret:providers.victim.apiKey} b \${env:VICTIM_ENV} c \${env:SWITCHYARD_SECRET_KEY}" }
discovery: { enabled: false }
`,
      { env, secrets },
    )
  })
  afterAll(async () => {
    await gw.app.close()
    await up.stop()
  })

  const leaked = (text: string) =>
    [VICTIM_KEY, ENV_KEY, SECRET_KEY_PASSPHRASE, CLIENT_KEY, HAND_PASSWORD, HAND_QUERY, HAND_HEADER].filter((s) =>
      text.includes(s),
    )

  it.each([
    ['/providers'],
    ['/providers/other'],
    ['/keys'],
    ['/prompts/leak'],
    ['/config/export'],
    ['/config/export?format=json'],
    ['/info'],
  ])('GET %s returns no resolved secret', async (path) => {
    const res = await admin(gw, 'GET', path)
    expect(res.status).toBe(200)
    expect(leaked(res.text)).toEqual([])
  })

  it('a key’s metadata and a config prompt keep the reference as written', async () => {
    const keys = JSON.parse((await admin(gw, 'GET', '/keys')).text)
    expect(keys.items[0].metadata).toEqual({
      team: '${secret:providers.victim.apiKey}',
      owner: '${env:VICTIM_ENV}',
      file: '${env:SWITCHYARD_SECRET_KEY}',
    })
    const prompt = (await admin(gw, 'GET', '/prompts/leak')).text
    expect(prompt).toContain('${secret:providers.victim.apiKey}')
    expect(prompt).toContain('${env:VICTIM_ENV}')
  })

  it('a minted virtual key named in another key’s metadata stays a reference', async () => {
    const minted = JSON.parse((await admin(gw, 'POST', '/keys', { name: 'minted' })).text).key as string
    expect(minted).toMatch(/^sy-/)
    const put = await admin(gw, 'PUT', '/keys/ci', { metadata: { copy: '${secret:keys.minted.key}' } })
    expect(put.status).toBe(200)
    for (const path of ['/keys', '/config/export']) {
      const text = (await admin(gw, 'GET', path)).text
      expect(text).not.toContain(minted)
      expect(text).toContain('${secret:keys.minted.key}')
    }
  })

  it('a planted header shows masked, never the value', async () => {
    const other = JSON.parse((await admin(gw, 'GET', '/providers/other')).text)
    expect(other.headers['x-planted']).not.toContain('SECRET')
    expect(other.headers['x-planted-env']).not.toContain('SECRET')
  })

  it('a header planted through the admin API is masked as well', async () => {
    const res = await admin(gw, 'PUT', '/providers/other', {
      type: 'openai-compatible',
      baseUrl: `${up.url}/v1`,
      headers: { 'x-team': '${secret:providers.victim.apiKey}' },
    })
    expect(res.status).toBe(200)
    expect(leaked(res.text)).toEqual([])
    expect(leaked((await admin(gw, 'GET', '/providers')).text)).toEqual([])
  })
})

describe('a provider key never follows a new baseUrl', () => {
  let legit: Upstream
  let attacker: Upstream
  let gw: Started | undefined
  const dirs: string[] = []

  beforeAll(async () => {
    legit = await okUpstream()
    attacker = await okUpstream()
  })
  afterEach(async () => {
    await gw?.app.close()
    gw = undefined
    legit.requests.length = 0
    attacker.requests.length = 0
  })
  afterAll(async () => {
    await legit.stop()
    await attacker.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  const withVictim = async () => {
    gw = await start('discovery: { enabled: false }\n')
    const created = await admin(gw, 'POST', '/providers', {
      id: 'victim',
      type: 'openai-compatible',
      baseUrl: `${legit.url}/v1`,
      apiKey: VICTIM_KEY,
      headers: { authorization: `Bearer ${VICTIM_KEY}`, 'x-org': 'org-SECRET-4444444444' },
    })
    expect(created.status).toBe(201)
    expect((await chat(gw, 'victim/m')).status).toBe(200)
    expect(authOf(legit.requests.at(-1)!)).toContain(VICTIM_KEY)
    return gw
  }

  it('PUT with a new origin and no apiKey drops the stored key and credential headers', async () => {
    const g = await withVictim()
    const put = await admin(g, 'PUT', '/providers/victim', { type: 'openai-compatible', baseUrl: `${attacker.url}/v1` })
    expect(put.status).toBe(200)
    expect(JSON.parse(put.text).hasApiKey).toBe(false)
    await chat(g, 'victim/m')
    await admin(g, 'POST', '/providers/victim/test', { model: 'm' })
    expect(attacker.requests.length).toBeGreaterThan(0)
    for (const r of attacker.requests) {
      expect(JSON.stringify(r.headers)).not.toContain(VICTIM_KEY)
      expect(JSON.stringify(r.headers)).not.toContain('org-SECRET')
    }
  })

  it('the origin given back with the headers the UI shows (masked) still drops them', async () => {
    const g = await withVictim()
    const shown = JSON.parse((await admin(g, 'GET', '/providers/victim')).text)
    await admin(g, 'PUT', '/providers/victim', {
      type: 'openai-compatible',
      baseUrl: `${attacker.url}/v1`,
      headers: shown.headers,
    })
    await chat(g, 'victim/m')
    for (const r of attacker.requests) expect(JSON.stringify(r.headers)).not.toContain(VICTIM_KEY)
  })

  it('PUT with a new origin and a new apiKey uses the new key; the same origin keeps the old one', async () => {
    const g = await withVictim()
    await admin(g, 'PUT', '/providers/victim', { type: 'openai-compatible', baseUrl: `${legit.url}/v1/` })
    await chat(g, 'victim/m')
    expect(authOf(legit.requests.at(-1)!)).toContain(VICTIM_KEY)
    await admin(g, 'PUT', '/providers/victim', {
      type: 'openai-compatible',
      baseUrl: `${attacker.url}/v1`,
      apiKey: 'sk-new-key-for-the-new-host-5555',
    })
    await chat(g, 'victim/m')
    expect(authOf(attacker.requests.at(-1)!)).toBe('Bearer sk-new-key-for-the-new-host-5555')
  })

  it('a key read from the environment is dropped too, unless the request names the variable again', async () => {
    gw = await start(
      `providers:\n  envp: { type: openai-compatible, baseUrl: "${legit.url}/v1", apiKey: "\${env:VICTIM_ENV}" }\n`,
      { env: { VICTIM_ENV: ENV_KEY } },
    )
    await admin(gw, 'PUT', '/providers/envp', { type: 'openai-compatible', baseUrl: `${attacker.url}/v1` })
    await chat(gw, 'envp/m')
    expect(authOf(attacker.requests.at(-1)!)).not.toContain(ENV_KEY)
    await admin(gw, 'PUT', '/providers/envp', {
      type: 'openai-compatible',
      baseUrl: `${attacker.url}/v1`,
      apiKeyEnv: 'VICTIM_ENV',
    })
    await chat(gw, 'envp/m')
    expect(authOf(attacker.requests.at(-1)!)).toBe(`Bearer ${ENV_KEY}`)
  })

  it('another provider’s header cannot name the victim’s stored key and send it elsewhere', async () => {
    const g = await withVictim()
    const created = await admin(g, 'POST', '/providers', {
      id: 'evil',
      type: 'openai-compatible',
      baseUrl: `${attacker.url}/v1`,
      apiKey: '${secret:providers.victim.apiKey}',
      headers: {
        'x-steal': '${secret:providers.victim.apiKey}',
        authorization: '${secret:providers.victim.headers.authorization}',
      },
    })
    expect(created.status).toBe(201)
    await chat(g, 'evil/m')
    expect(attacker.requests.length).toBeGreaterThan(0)
    for (const r of attacker.requests) expect(JSON.stringify(r.headers)).not.toContain(VICTIM_KEY)
  })

  it('an import that moves a provider to another origin does not carry its key there', async () => {
    const g = await withVictim()
    const exported = parseYaml((await admin(g, 'GET', '/config/export')).text)
    exported.providers.victim.baseUrl = `${attacker.url}/v1`
    const imported = await admin(g, 'POST', '/config/import', { text: stringify(exported), apply: true })
    expect(imported.status).toBe(200)
    expect(JSON.parse(imported.text).droppedCredentials).toContain('providers.victim.apiKey')
    await chat(g, 'victim/m')
    expect(attacker.requests.length).toBeGreaterThan(0)
    for (const r of attacker.requests) expect(JSON.stringify(r.headers)).not.toContain(VICTIM_KEY)
  })
})

describe('upstream errors that quote a secret', () => {
  const QUOTED = 'sk-quoted-SECRET-6666666666-ijkl'
  const UNKNOWN_SHAPE = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'
  let up: Upstream
  let gw: Started

  beforeAll(async () => {
    up = await startScriptedUpstream({
      'POST /v1/chat/completions': (req, res) => {
        const { stream, user } = req.body as { stream?: boolean; user?: string }
        const message = `Incorrect API key provided: ${QUOTED}. Also seen: ${UNKNOWN_SHAPE} and org-SECRET-7777777777`
        if (stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          // `user: mid` asks for the error after the answer has started.
          const first = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' }
          const error = `data: ${JSON.stringify({ error: { message, type: 'server_error' } })}\n\n`
          if (user !== 'mid') return void res.end(error)
          res.write(`data: ${JSON.stringify({ ...first, choices: [{ index: 0, delta: { content: 'He' } }] })}\n\n`)
          setTimeout(() => res.end(error), 50)
          return
        }
        sendJson(res, 401, { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } })
      },
      'GET /v1/models': (_req, res) =>
        sendJson(res, 401, { error: { message: `Incorrect API key provided: ${QUOTED}` } }),
    })
    gw = await start(
      `
providers:
  leaky:
    type: openai-compatible
    baseUrl: "${up.url}/v1"
    apiKey: "\${env:LEAKY_KEY}"
    headers: { x-org: "\${env:LEAKY_ORG}" }
discovery: { enabled: false }
`,
      { env: { LEAKY_KEY: QUOTED, LEAKY_ORG: 'org-SECRET-7777777777' } },
    )
  })
  afterAll(async () => {
    await gw.app.close()
    await up.stop()
  })

  const clean = (text: string) => {
    expect(text).not.toContain(QUOTED)
    expect(text).not.toContain(UNKNOWN_SHAPE)
    expect(text).not.toContain('org-SECRET-7777777777')
  }

  it('a 401 quoting the key reaches the client scrubbed, in its format', async () => {
    const res = await chat(gw, 'leaky/m')
    expect(res.status).toBe(401)
    expect(JSON.parse(res.text).error.message).toContain('Incorrect API key provided')
    clean(res.text)
  })

  it('an error frame as a stream opens is scrubbed too', async () => {
    const res = await chat(gw, 'leaky/m', { stream: true })
    expect(res.text).toContain('Incorrect API key provided')
    clean(res.text)
  })

  it('an error frame in the middle of a stream is scrubbed too', async () => {
    const res = await chat(gw, 'leaky/m', { stream: true, user: 'mid' })
    expect(res.text).toContain('He')
    expect(res.text).toContain('Incorrect API key provided')
    clean(res.text)
  })

  it('the model-listing error and the provider test show it scrubbed', async () => {
    const tested = await admin(gw, 'POST', '/providers/leaky/test', {})
    expect(tested.text).toContain('Incorrect API key provided')
    clean(tested.text)
    const listed = await admin(gw, 'GET', '/providers/leaky')
    expect(JSON.parse(listed.text).listingError).toContain('Incorrect API key provided')
    clean(listed.text)
    const pinged = await admin(gw, 'POST', '/providers/leaky/test', { model: 'm' })
    clean(pinged.text)
  })
})

describe('credentials in any header, baseUrl userinfo or query go to the secret store', () => {
  const PLAIN = 'plain-custom-SECRET-8888888888'
  const PASSWORD = 'pw-SECRET-9999999999'
  const QUERY_KEY = 'qk-SECRET-1212121212'
  let up: Upstream
  let gw: Started
  let dir: string

  beforeAll(async () => {
    up = await okUpstream()
    dir = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'))
    gw = await start('discovery: { enabled: false }\n', { dataDir: dir })
  })
  afterAll(async () => {
    await gw.app.close()
    await up.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a custom header saved through the admin API is stored as a reference and shown masked', async () => {
    const created = await admin(gw, 'POST', '/providers', {
      id: 'custom',
      type: 'openai-compatible',
      baseUrl: `${up.url}/v1`,
      headers: { 'x-custom-auth': PLAIN },
    })
    expect(created.status).toBe(201)
    const onDisk = readFileSync(join(dir, 'config.yaml'), 'utf8')
    expect(onDisk).not.toContain(PLAIN)
    expect(onDisk).toContain('${secret:providers.custom.headers.x-custom-auth}')
    const shown = JSON.parse((await admin(gw, 'GET', '/providers/custom')).text)
    expect(shown.headers['x-custom-auth']).not.toContain(PLAIN)
    expect(JSON.stringify(shown)).not.toContain(PLAIN)
    // Still sent upstream as written.
    await chat(gw, 'custom/m')
    expect(up.requests.at(-1)!.headers['x-custom-auth']).toBe(PLAIN)
    // Sending back the masked value the UI shows keeps the real one.
    await admin(gw, 'PUT', '/providers/custom', {
      type: 'openai-compatible',
      baseUrl: `${up.url}/v1`,
      headers: shown.headers,
    })
    await chat(gw, 'custom/m')
    expect(up.requests.at(-1)!.headers['x-custom-auth']).toBe(PLAIN)
  })

  it('baseUrl userinfo and key-like query parameters are sealed and shown masked', async () => {
    const host = up.url.replace('http://', '')
    const created = await admin(gw, 'POST', '/providers', {
      id: 'query',
      type: 'openai-compatible',
      baseUrl: `http://user:${PASSWORD}@${host}/v1?api_key=${QUERY_KEY}&region=eu`,
    })
    expect(created.status).toBe(201)
    const onDisk = readFileSync(join(dir, 'config.yaml'), 'utf8')
    expect(onDisk).not.toContain(PASSWORD)
    expect(onDisk).not.toContain(QUERY_KEY)
    expect(onDisk).toContain('region=eu')
    for (const path of ['/providers', '/providers/query', '/info', '/config/export']) {
      const text = (await admin(gw, 'GET', path)).text
      expect(text).not.toContain(PASSWORD)
      expect(text).not.toContain(QUERY_KEY)
    }
    await chat(gw, 'query/m')
    expect(up.requests.at(-1)!.path).toBe('/v1/chat/completions')
    expect(up.requests.at(-1)!.headers.host).toBe(host)
  })
})
