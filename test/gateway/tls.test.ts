import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { Agent, fetch as undiciFetch } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfigFile, parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { serveFromSource } from '../helpers/serve-source.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// The optional HTTPS listener: a self-signed certificate made here, trusted by the client through its CA.

let dir: string
let mock: RunningMock
let ca: Buffer
const apps: FastifyInstance[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-tls-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  )
  ca = readFileSync(join(dir, 'cert.pem'))
  mock = await startMockUpstream()
  // Relative paths are read from the config file's folder.
  writeFileSync(
    join(dir, 'config.yaml'),
    `server: { tls: { cert: cert.pem, key: key.pem } }\nproviders:\n  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }\n`,
  )
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** An undici client that trusts only our CA, as a team member's machine would after installing it. */
const trusting = () => new Agent({ connect: { ca } })

describe('HTTPS listener', () => {
  it('serves the OpenAI API over TLS to a client trusting the certificate', async () => {
    const configPath = join(dir, 'config.yaml')
    const app = buildGateway(loadConfigFile(configPath), { webRoot: false, configPath })
    apps.push(app)
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)

    const dispatcher = trusting()
    const client = new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: 'x',
      maxRetries: 0,
      fetch: ((input: string, init?: RequestInit) =>
        undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch,
    })
    const res = await client.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.choices[0].message.content).toBe('Echo: hi')

    // Without the CA the certificate is refused; plain HTTP on the port gets no answer from the API.
    await expect(fetch(`${url}/health`)).rejects.toThrow()
    const plain = await fetch(`${url.replace('https:', 'http:')}/health`).then(
      (r) => r.status,
      () => 'refused',
    )
    expect(plain).not.toBe(200)
    await dispatcher.close()
  })

  it('refuses to start with a certificate it cannot read', () => {
    const bad = parseConfig('server: { tls: { cert: /nope/cert.pem, key: /nope/key.pem } }', 'yaml', {})
    expect(() => buildGateway(bad, { webRoot: false })).toThrow(ConfigError)
    expect(() => buildGateway(bad, { webRoot: false })).toThrow(
      /cannot read server\.tls\.cert \(\/nope\/cert\.pem\): ENOENT/,
    )
  })
})

describe('switchyard serve with TLS', () => {
  it('prints an https:// URL and answers on it', async () => {
    const run = await serveFromSource(mkdtempSync(join(dir, 'data-')), ['--config', join(dir, 'config.yaml')])
    try {
      const url = /listening on (https:\/\/\S+)/.exec(run.output())![1]
      const res = await undiciFetch(`${url}/health`, { dispatcher: trusting() })
      expect(await res.json()).toEqual({ status: 'ok' })
    } finally {
      await run.stop()
    }
  }, 40_000)

  it('still refuses a non-loopback address without keys or an admin token', async () => {
    const args = ['--config', join(dir, 'config.yaml'), '--host', '0.0.0.0']
    await expect(serveFromSource(mkdtempSync(join(dir, 'data-')), args)).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0/,
    )
  }, 40_000)
})
