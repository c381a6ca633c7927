import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMemorySecretStore, type SecretStore } from '../../src-gateway/config/secrets.js'
import { BODY_KEY_SECRET } from '../../src-gateway/store/body-cipher.js'
import type { GatewayChild, SpawnGatewayChild } from '../../src-main/gateway-child.js'
import { type GatewayHost, type GatewayHostOptions, startGatewayHost } from '../../src-main/gateway-host.js'
import { nodeGatewayChild } from '../../src-main/node-child.js'
import type { GatewayNotice } from '../../src-shared/desktop-api'
import { CHAT_COMPLETION, type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// The desktop app's gateway in its own process, driven by the supervisor through node's fork adapter (the
// same messages Electron's utilityProcess carries): real SDK calls, a SIGKILLed gateway restarted on its
// port with a notice, a bounded number of restarts, and a close that writes the last log row.

const UPSTREAM_KEY = 'sk-upstream-only-in-main-0123456789'
/** The encrypted secret file's passphrase, when the user gave one: main opens the file, the gateway never needs it. */
const PASSPHRASE = 'passphrase-only-main-knows'

let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>
const dirs: string[] = []
const hosts: GatewayHost[] = []

beforeAll(async () => {
  upstream = await startScriptedUpstream({ '/v1/chat/completions': (_req, res) => sendJson(res, 200, CHAT_COMPLETION) })
})
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()))
})
afterAll(async () => {
  await upstream?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function dataDir(extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-proc-'))
  dirs.push(dir)
  writeFileSync(
    join(dir, 'config.yaml'),
    `providers:\n  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1", apiKey: "\${secret:providers.up.apiKey}" }\n${extra}`,
  )
  return dir
}

/** The node adapter, remembering each process it started so a test can kill one. */
function recording(env?: NodeJS.ProcessEnv): { spawn: SpawnGatewayChild; children: GatewayChild[] } {
  const children: GatewayChild[] = []
  const spawn = nodeGatewayChild(env)
  return {
    children,
    spawn: () => {
      const child = spawn()
      children.push(child)
      return child
    },
  }
}

async function start(opts: Partial<GatewayHostOptions> & { dataDir: string; spawn: SpawnGatewayChild }) {
  const secrets = createMemorySecretStore()
  secrets.set('providers.up.apiKey', UPSTREAM_KEY)
  const host = await startGatewayHost({
    secrets,
    preferredPort: 0,
    supervision: { backoffMs: () => 20 },
    ...opts,
  })
  hosts.push(host)
  const notices: GatewayNotice[] = []
  host.onNotice((n) => notices.push(n))
  return { host, notices }
}

async function until<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const chat = (host: GatewayHost, content: string) =>
  new OpenAI({ baseURL: `${host.baseUrl}/v1`, apiKey: 'x', maxRetries: 0 }).chat.completions
    .create({ model: 'up/m', messages: [{ role: 'user', content }] })
    .withResponse()

function loggedRequestIds(dir: string): string[] {
  const db = new Database(join(dir, 'switchyard.db'), { readonly: true })
  try {
    return (db.prepare('SELECT request_id FROM request_logs').all() as { request_id: string }[]).map(
      (r) => r.request_id,
    )
  } finally {
    db.close()
  }
}

describe('the gateway process under its supervisor', () => {
  it('serves SDK calls, is restarted on its port with a notice after a SIGKILL, and flushes its log on close', {
    timeout: 120_000,
  }, async () => {
    const dir = dataDir()
    const { spawn, children } = recording({ ...process.env, SWITCHYARD_SECRET_KEY: PASSPHRASE })
    const { host, notices } = await start({ dataDir: dir, spawn })
    expect(host.port).toBeGreaterThan(0)
    expect(host.baseUrl).toBe(`http://127.0.0.1:${host.port}`)

    const first = await chat(host, 'before the crash')
    expect(first.data.choices[0].message.content).toBe('ok')
    // The key reached the gateway process over the port: not on its command line, not in its environment,
    // and neither did the passphrase main's environment has.
    expect((upstream.requests.at(-1) as RecordedRequest).headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    const pid = children[0].pid!
    for (const file of ['cmdline', 'environ']) {
      const text = readFileSync(`/proc/${pid}/${file}`, 'latin1')
      expect(text).not.toContain(UPSTREAM_KEY)
      expect(text).not.toContain(PASSPHRASE)
    }

    const port = host.port
    process.kill(pid, 'SIGKILL')
    const notice = await until('the restart notice', () => notices.find((n) => /restarted/.test(n.message)))
    expect(notice).toMatchObject({
      level: 'warning',
      message: 'The gateway stopped unexpectedly (killed by SIGKILL) and was restarted',
    })
    expect(children).toHaveLength(2)
    expect(children[1].pid).not.toBe(pid)
    expect(host.port).toBe(port)
    expect((await host.status()).state).toBe('running')
    // Main (this test's process) holds the data dir throughout: no `serve` or offline restore got in while the
    // gateway was down.
    expect(readFileSync(join(dir, 'gateway.lock'), 'utf8').trim()).toBe(String(process.pid))

    const last = await chat(host, 'just before close')
    expect(last.data.choices[0].message.content).toBe('ok')
    const requestId = last.response.headers.get('x-request-id')
    expect(requestId).toBeTruthy()
    await host.close()
    hosts.splice(0)
    // Written by the gateway process's close, before main ended it.
    expect(loggedRequestIds(dir)).toContain(requestId)
  })

  it('gives up after too many crashes instead of looping, and says so', { timeout: 120_000 }, async () => {
    const { spawn, children } = recording()
    const { host, notices } = await start({
      dataDir: dataDir(),
      spawn,
      supervision: { maxRestarts: 2, restartWindowMs: 60_000, backoffMs: () => 20 },
    })
    for (let crash = 1; crash <= 2; crash++) {
      process.kill(children.at(-1)!.pid!, 'SIGKILL')
      await until(`restart ${crash}`, () => (notices.length === crash ? true : undefined))
    }
    process.kill(children.at(-1)!.pid!, 'SIGKILL')
    const error = await until('the error notice', () => notices.find((n) => n.level === 'error'))
    expect(error.message).toMatch(
      /^The gateway stopped 3 times within 60 s and was not restarted \(the last time: killed by SIGKILL\)\./,
    )
    await new Promise((r) => setTimeout(r, 500))
    expect(children).toHaveLength(3)
    expect((await host.status()).state).toBe('failed')
    await expect(host.setPaused(true)).rejects.toThrow('the gateway is not running (failed)')
  })

  it('keeps the body key in main: the gateway hands a new one over, and a restarted gateway gets it back', {
    timeout: 120_000,
  }, async () => {
    // The desktop keychain store, as far as the gateway can tell (only an OS keychain store may hold it).
    const keychain: SecretStore = { ...createMemorySecretStore(), kind: 'os-keychain', persisted: true }
    const { spawn, children } = recording()
    const { host, notices } = await start({
      dataDir: dataDir('logs: { encryptBodies: true }\n'),
      spawn,
      bodyKeys: keychain,
    })
    const key = await until('the body key in main', () => keychain.get(BODY_KEY_SECRET))
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    process.kill(children[0].pid!, 'SIGKILL')
    await until('the restart', () => notices.find((n) => /restarted/.test(n.message)))
    expect((await chat(host, 'sealed')).data.choices[0].message.content).toBe('ok')
    expect(keychain.names()).toEqual([BODY_KEY_SECRET])
    expect(keychain.get(BODY_KEY_SECRET)).toBe(key)
  })

  it("passes the gateway's background warnings to main as notices (here: the OTLP export failing)", {
    timeout: 120_000,
  }, async () => {
    const { spawn } = recording()
    const { host, notices } = await start({
      dataDir: dataDir('telemetry: { otlp: { endpoint: "http://127.0.0.1:1", metrics: false } }\n'),
      spawn,
    })
    expect((await chat(host, 'traced')).data.choices[0].message.content).toBe('ok')
    const notice = await until('the export warning', () => notices.find((n) => /OpenTelemetry/.test(n.message)))
    expect(notice.level).toBe('warning')
    expect(notice.message).toMatch(/^OpenTelemetry export to http:\/\/127\.0\.0\.1:1 is failing: /)
  })
})
