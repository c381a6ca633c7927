import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import {
  type RecordedRequest,
  type RunningMock,
  sendJson,
  sendSse,
  startScriptedUpstream,
} from '../helpers/upstreams.js'

// Three `switchyard serve` processes sharing one Redis: an answer one instance stored is a hit on the others.

const KEY = 'sk-sy-cache-0123456789abcdef'

/** Answers `Echo: <last message>` as JSON or as an OpenAI stream, whichever the gateway asked for. */
function answer(req: RecordedRequest, res: Parameters<typeof sendJson>[0]) {
  const body = req.body as { stream?: boolean; messages: { content: string }[] }
  const text = `Echo: ${body.messages.at(-1)?.content}`
  if (!body.stream) {
    sendJson(res, 200, {
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    })
    return
  }
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
  sendSse(res, [chunk({ role: 'assistant', content: text }, null), chunk({}, 'stop'), 'data: [DONE]\n\n'])
}

describe('the exact cache shared through Redis by three instances', () => {
  let redis: RedisServer
  let upstream: RunningMock & { requests: RecordedRequest[] }
  let cluster: GatewayCluster
  const upstreamCalls = (content: string) =>
    upstream.requests.filter(
      (r) => (r.body as { messages?: { content: string }[] })?.messages?.at(-1)?.content === content,
    ).length

  async function chat(i: number, content: string, stream = false) {
    const started = Date.now()
    const res = await fetch(`${cluster.urls[i]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/m', stream, messages: [{ role: 'user', content }] }),
    })
    const text = await res.text()
    return { status: res.status, cache: res.headers.get('x-switchyard-cache'), text, ms: Date.now() - started }
  }

  async function stats(i: number) {
    const res = await fetch(`${cluster.urls[i]}/admin/v1/cache`, { headers: cluster.adminHeaders(i) })
    return (await res.json()) as { entries: number; hits: number; misses: number }
  }

  /** Storing happens after the answer is delivered: wait until the shared cache holds `n` entries. */
  async function entries(n: number) {
    const deadline = Date.now() + 5000
    while ((await stats(1)).entries < n) {
      if (Date.now() > deadline) throw new Error(`the shared cache never held ${n} entries`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  beforeAll(async () => {
    redis = await startRedis()
    upstream = await startScriptedUpstream({ 'POST /v1/chat/completions': answer })
    cluster = await startCluster({
      instances: 3,
      env: { SY_KEY: KEY },
      configYaml: `
redis: ${redis.url}
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }
keys:
  - { name: app, key: "\${env:SY_KEY}" }
cache: { mode: exact, ttlSeconds: 600 }
discovery: { enabled: false }
`,
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    await upstream?.stop()
    await redis?.stop()
  })

  it('an answer stored through A is a hit on B and C, streamed or not; the upstream sees one request', async () => {
    const first = await chat(0, 'what is a cache?')
    expect(first).toMatchObject({ status: 200, cache: 'miss' })
    await entries(1)
    const onB = await chat(1, 'what is a cache?')
    expect(onB).toMatchObject({ status: 200, cache: 'hit' })
    expect(JSON.parse(onB.text).choices[0].message.content).toBe('Echo: what is a cache?')
    const streamedOnC = await chat(2, 'what is a cache?', true)
    expect(streamedOnC).toMatchObject({ status: 200, cache: 'hit' })
    expect(streamedOnC.text).toContain('Echo: what is a cache?')
    expect(upstreamCalls('what is a cache?')).toBe(1)
  })

  it('a streamed answer stored through C is a hit on A', async () => {
    expect(await chat(2, 'streamed once', true)).toMatchObject({ status: 200, cache: 'miss' })
    await entries(2)
    const onA = await chat(0, 'streamed once')
    expect(onA).toMatchObject({ status: 200, cache: 'hit' })
    expect(JSON.parse(onA.text).choices[0].message.content).toBe('Echo: streamed once')
    expect(upstreamCalls('streamed once')).toBe(1)
  })

  it('an answer planted in Redis by someone without SWITCHYARD_SECRET_KEY is not served', async () => {
    const { Redis } = await import('ioredis')
    const client = new Redis(redis.url)
    try {
      let target: string | undefined
      for (const k of await client.keys('switchyard:cache:e:*')) {
        if ((await client.hget(k, 'p'))?.includes('Echo: what is a cache?')) target = k
      }
      const original = await client.hget(target!, 'p')
      await client.hset(
        target!,
        'p',
        original!.replace('Echo: what is a cache?', 'Echo: mail your key to evil.example'),
      )
      // The altered entry is a miss (answered by the upstream, then stored again); the untouched one still hits.
      const forged = await chat(0, 'what is a cache?')
      expect(forged).toMatchObject({ status: 200, cache: 'miss' })
      expect(forged.text).not.toContain('evil.example')
      expect(upstreamCalls('what is a cache?')).toBe(2)
      expect(await chat(1, 'streamed once')).toMatchObject({ status: 200, cache: 'hit' })
    } finally {
      client.disconnect()
    }
  })

  it("every instance's admin API shows the shared entries and hits; a clear through B clears for A", async () => {
    await entries(2)
    for (const i of [0, 1, 2]) expect(await stats(i)).toMatchObject({ entries: 2, hits: 4 })
    const res = await fetch(`${cluster.urls[1]}/admin/v1/cache`, {
      method: 'DELETE',
      headers: cluster.adminHeaders(1),
    })
    expect(await res.json()).toEqual({ cleared: 2 })
    expect((await stats(0)).entries).toBe(0)
    expect(await chat(0, 'what is a cache?')).toMatchObject({ status: 200, cache: 'miss' })
    expect(upstreamCalls('what is a cache?')).toBe(3)
  })

  it('Redis down: calls still answer, as misses, without waiting on it; hits again once it is back', async () => {
    await redis.pause()
    try {
      await new Promise((r) => setTimeout(r, 1500))
      for (const i of [0, 1, 2]) {
        const res = await chat(i, 'while redis is down')
        expect(res).toMatchObject({ status: 200, cache: 'miss' })
        expect(res.ms).toBeLessThan(1500)
      }
      expect(upstreamCalls('while redis is down')).toBe(3)
    } finally {
      await redis.resume()
    }
    const deadline = Date.now() + 10_000
    let hit = false
    while (!hit && Date.now() < deadline) {
      await chat(0, 'after redis returned')
      hit = (await chat(1, 'after redis returned')).cache === 'hit'
      if (!hit) await new Promise((r) => setTimeout(r, 250))
    }
    expect(hit).toBe(true)
  })
})
