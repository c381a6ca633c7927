import { createServer, type ServerResponse } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { CancelSignal } from '../../src-gateway/core/cancel.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { type RecordedRequest, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// The correctness bugs of issue 16 point 8: each one lost a log row, leaked a reservation, sent a prompt
// where it must not go, or kept a connection pool the config no longer describes.

const KEY = 'sk-sy-correctness-0123456789abcdef'
const env = { SY_KEY: KEY }

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function gateway(yaml: string): Promise<TestGateway> {
  const gw = await startGateway(yaml, env)
  cleanups.push(() => gw.close())
  return gw
}

const answer = (content: string) => ({
  id: 'c1',
  object: 'chat.completion',
  created: 0,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
})

const until = async (what: () => boolean, timeoutMs = 3000) => {
  const end = Date.now() + timeoutMs
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  return what()
}

it('settles a streamed call whose client disconnects while the gateway waits for it to drain', async () => {
  // 16 KB frames (padding in a field nobody reads, so the answer's text stays short), sent for as long as
  // the gateway reads; `blockedSince` says when it stopped reading (it waits for its client to drain).
  const frame = `data: ${JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    system_fingerprint: 'p'.repeat(16_384),
    choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }],
  })}\n\n`
  let blockedSince: number | undefined
  const up = await startScriptedUpstream({
    '/v1/chat/completions': async (req: RecordedRequest, res) => {
      if (!(req.body as { stream?: boolean }).stream) return sendJson(res, 200, answer('fine'))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.on('close', () => {
        blockedSince = undefined
      })
      // At most 512 MB, far more than socket buffers hold.
      for (let i = 0; i < 32_768 && !res.destroyed; i++) {
        if (!res.write(frame)) {
          blockedSince = Date.now()
          await new Promise<void>((resolve) => {
            const go = () => {
              res.off('drain', go).off('close', go)
              resolve()
            }
            res.on('drain', go).on('close', go)
          })
          blockedSince = undefined
        }
      }
      res.end()
    },
  })
  cleanups.push(() => up.stop())
  // An unpriced model: its reservation cannot be bounded, so a call in flight holds the key's budget alone.
  const gw = await gateway(`
providers:
  flood: { type: openai-compatible, baseUrl: "${up.url}/v1" }
keys:
  - { name: ci, key: "\${env:SY_KEY}", budget: { usd: 5, period: month } }
`)
  const { port } = new URL(gw.url)
  const body = JSON.stringify({ model: 'flood/unpriced', stream: true, messages: [{ role: 'user', content: 'go' }] })
  const socket = connect(Number(port), '127.0.0.1')
  // Never read: the gateway's writes back up until it must wait for `drain`.
  socket.pause()
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${KEY}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  const stuck = () => blockedSince !== undefined && Date.now() - blockedSince > 300
  expect(await until(stuck, 15_000)).toBe(true)
  socket.destroy()

  expect(await until(() => gw.events.length === 1)).toBe(true)
  expect(gw.events[0]).toMatchObject({ status: 499, keyName: 'ci', provider: 'flood' })
  // The reservation went with the call: the key's next call is admitted.
  const next = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'flood/unpriced', messages: [{ role: 'user', content: 'again' }] }),
  })
  expect([next.status, await next.text()]).toEqual([200, expect.stringContaining('fine')])
}, 30_000)

describe('count_tokens', () => {
  const EMAIL = 'jane.doe@example.com'
  const counter = () =>
    startScriptedUpstream({ 'POST /v1/messages/count_tokens': (_req, res) => sendJson(res, 200, { input_tokens: 42 }) })
  // Model listings (GET) carry no prompt; what matters is what was posted.
  const posted = (up: { requests: RecordedRequest[] }) => up.requests.filter((r) => r.method === 'POST')
  const count = (gw: TestGateway, model: string, content: string) =>
    fetch(`${gw.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    })

  it('keeps to the residency of the key: refused, or counted by an allowed provider', async () => {
    const cloud = await counter()
    const home = await counter()
    cleanups.push(
      () => cloud.stop(),
      () => home.stop(),
    )
    const gw = await gateway(`
providers:
  cloud: { type: anthropic, apiKey: sk-ant-cloud, baseUrl: "${cloud.url}", tags: [cloud] }
  home: { type: anthropic, apiKey: sk-ant-home, baseUrl: "${home.url}", tags: [local] }
routes:
  mixed: { targets: [ { model: cloud/claude-x }, { model: home/claude-x } ] }
keys:
  - { name: ci, key: "\${env:SY_KEY}", tags: [local] }
`)
    const refused = await count(gw, 'cloud/claude-x', 'the secret plan')
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } })
    const routed = await count(gw, 'mixed', 'the secret plan')
    expect([routed.status, await routed.json()]).toEqual([200, { input_tokens: 42 }])
    expect(posted(cloud)).toEqual([])
    expect(JSON.stringify(posted(home).map((r) => r.body))).toContain('the secret plan')
  })

  it('redacts the prompt as a chat call would', async () => {
    const up = await counter()
    cleanups.push(() => up.stop())
    const gw = await gateway(`
providers:
  claude: { type: anthropic, apiKey: sk-ant-x, baseUrl: "${up.url}" }
redaction: { mode: mask }
keys:
  - { name: ci, key: "\${env:SY_KEY}" }
`)
    const res = await count(gw, 'claude/claude-x', `write to ${EMAIL}`)
    expect(res.status).toBe(200)
    expect(posted(up)).toHaveLength(1)
    expect(JSON.stringify(posted(up)[0].body)).not.toContain(EMAIL)
    expect(JSON.stringify(posted(up)[0].body)).toContain('[EMAIL]')
  })
})

describe('upstream connection pools on a config change', () => {
  /** An upstream that answers chats after a pause, counting them in flight, and its open connections. */
  async function slowUpstream() {
    const seen = { inFlight: 0, maxInFlight: 0, open: 0 }
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', async () => {
        if (req.method !== 'POST') return sendJson(res, 200, { object: 'list', data: [{ id: 'm', object: 'model' }] })
        seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight)
        await new Promise((r) => setTimeout(r, 300))
        seen.inFlight--
        sendJson(res, 200, answer('pooled'))
      })
    })
    // Idle keep-alive connections stay open on this side for a minute: only the gateway closes them early.
    server.keepAliveTimeout = 60_000
    server.on('connection', (socket) => {
      seen.open++
      socket.on('close', () => seen.open--)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    })
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
  }

  it('replaces the pool of a provider whose options changed, and closes the old one', async () => {
    const a = await slowUpstream()
    const b = await slowUpstream()
    const gw = await gateway(`
providers:
  p: { type: openai-compatible, baseUrl: "${a.url}/v1", models: [m], maxConnections: 1 }
`)
    const ask = () =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'p/m', messages: [{ role: 'user', content: 'hi' }] }),
      }).then((r) => r.status)
    // PUT replaces the provider's whole config.
    const edit = (baseUrl: string, maxConnections: number) =>
      gw.admin('/admin/v1/providers/p', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'openai-compatible', baseUrl, models: ['m'], maxConnections }),
      })

    expect(await Promise.all([ask(), ask(), ask()])).toEqual([200, 200, 200])
    expect(a.seen.maxInFlight).toBe(1)

    expect((await edit(`${a.url}/v1`, 3)).status).toBe(200)
    a.seen.maxInFlight = 0
    expect(await Promise.all([ask(), ask(), ask()])).toEqual([200, 200, 200])
    expect(a.seen.maxInFlight).toBe(3)

    expect((await edit(`${b.url}/v1`, 3)).status).toBe(200)
    expect(await ask()).toBe(200)
    expect(b.seen.maxInFlight).toBe(1)
    // The pools for the old upstream were closed, and their keep-alive connections with them.
    expect(await until(() => a.seen.open === 0, 2000)).toBe(true)
  })
})

it('settles every upstream exchange whose body breaks while it is read', async () => {
  // Headers promise more than is sent, then the connection drops: reading the body fails.
  const broken = (_req: RecordedRequest, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    res.write('{"id":')
    setTimeout(() => res.destroy(), 20)
  }
  const up = await startScriptedUpstream({
    'POST /v1/chat/completions': broken,
    'POST /v1/messages/count_tokens': broken,
  })
  cleanups.push(() => up.stop())
  const gw = await gateway(`
providers:
  compat: { type: openai-compatible, baseUrl: "${up.url}/v1", models: [m] }
  claude: { type: anthropic, apiKey: sk-ant-x, baseUrl: "${up.url}", models: [claude-x] }
`)
  // Every exchange the gateway starts must end with done(), which stops its total-time timer and takes its
  // listener off the caller's signal: the listeners still on the signals are the exchanges never settled.
  const upstreams = gw.app.gateway.upstreams
  const send = upstreams.send.bind(upstreams)
  const listening = new Set<() => void>()
  upstreams.send = (provider, baseUrl, req, timeouts, signal, maxConnections) => {
    const tracked: CancelSignal = {
      get aborted() {
        return signal.aborted
      },
      get reason() {
        return signal.reason
      },
      addEventListener(type, listener, options) {
        listening.add(listener)
        signal.addEventListener(type, listener, options)
      },
      removeEventListener(type, listener) {
        listening.delete(listener)
        signal.removeEventListener(type, listener)
      },
    }
    return send(provider, baseUrl, req, timeouts, tracked, maxConnections)
  }
  const post = (path: string, body: unknown) =>
    fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    })
  const messages = [{ role: 'user', content: 'hi' }]
  expect((await post('/v1/chat/completions', { model: 'compat/m', messages })).status).toBe(502)
  await post('/v1/messages/count_tokens', { model: 'claude/claude-x', messages })
  expect(await until(() => listening.size === 0, 1000)).toBe(true)
})
