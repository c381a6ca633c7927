import type { ServerResponse } from 'node:http'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayCluster, startCluster } from '../helpers/gateway-cluster.js'
import { type RedisServer, startRedis } from '../helpers/redis-server.js'
import { type RecordedRequest, type RunningMock, sendJson, startScriptedUpstream } from '../helpers/upstreams.js'

// Two `switchyard serve` processes sharing one Redis in semantic mode: a paraphrase of a question one
// instance answered is a hit on the other.

const KEY = 'sk-sy-semantic-0123456789abcdef'
const PREFIX = 'switchyard:cache:'

function answer(req: RecordedRequest, res: ServerResponse) {
  const body = req.body as { messages: { content: string }[] }
  sendJson(res, 200, {
    id: 'c1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: `Echo: ${body.messages.at(-1)?.content}` },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  })
}

// Deterministic embeddings: word counts over a tiny vocabulary, so paraphrases land close together.
const VOCAB = ['capital', 'france', 'paris', 'weather', 'tomorrow', 'rain', 'recipe', 'cake', 'what', 'is']
const vectorOf = (t: string) => {
  const words = t.toLowerCase().match(/[a-z]+/g) ?? []
  return VOCAB.map((v) => words.filter((w) => w.startsWith(v)).length)
}
function embed(req: RecordedRequest, res: ServerResponse) {
  const input = (req.body as { input: string | string[] }).input
  const texts = Array.isArray(input) ? input : [input]
  const data = texts.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t) }))
  sendJson(res, 200, { object: 'list', data, model: 'emb', usage: { prompt_tokens: 3, total_tokens: 3 } })
}

describe('the semantic cache shared through Redis by two instances', () => {
  let redis: RedisServer
  let client: Redis
  let upstream: RunningMock & { requests: RecordedRequest[] }
  let cluster: GatewayCluster
  const chatCalls = (content: string) =>
    upstream.requests.filter(
      (r) => (r.body as { messages?: { content: string }[] })?.messages?.at(-1)?.content === content,
    ).length

  async function chat(i: number, content: string) {
    const started = Date.now()
    const res = await fetch(`${cluster.urls[i]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/m', messages: [{ role: 'user', content }] }),
    })
    const text = await res.text()
    return { status: res.status, cache: res.headers.get('x-switchyard-cache'), text, ms: Date.now() - started }
  }

  /** Storing happens after the answer is delivered: the Redis key of the entry answering `content`. */
  async function entryFor(content: string): Promise<string> {
    const deadline = Date.now() + 5000
    while (Date.now() < deadline) {
      for (const k of await client.keys(`${PREFIX}e:*`)) {
        if ((await client.hget(k, 'p'))?.includes(`Echo: ${content}`)) return k
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no shared entry answers ${content}`)
  }

  /** Asks on instance `i` until it hits (the other instance's message may still be on its way), at most 3 s. */
  async function untilHit(i: number, content: string) {
    const deadline = Date.now() + 3000
    for (;;) {
      const res = await chat(i, content)
      if (res.cache === 'hit' || Date.now() > deadline) return res
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  beforeAll(async () => {
    redis = await startRedis()
    client = new Redis(redis.url)
    // The Redis-down test stops the server under this client too.
    client.on('error', () => undefined)
    upstream = await startScriptedUpstream({ 'POST /v1/chat/completions': answer, 'POST /v1/embeddings': embed })
    cluster = await startCluster({
      instances: 2,
      env: { SY_KEY: KEY },
      configYaml: `
redis: ${redis.url}
providers:
  up: { type: openai-compatible, baseUrl: "${upstream.url}/v1" }
keys:
  - { name: app, key: "\${env:SY_KEY}" }
cache: { mode: semantic, ttlSeconds: 600, semantic: { embeddingModel: up/emb, threshold: 0.9 } }
discovery: { enabled: false }
`,
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    client?.disconnect()
    await upstream?.stop()
    await redis?.stop()
  })

  it('an answer stored through A is a semantic hit on B, which reads it from Redis at its first call', async () => {
    expect(await chat(0, 'What is the capital of France?')).toMatchObject({ status: 200, cache: 'miss' })
    const key = await entryFor('What is the capital of France?')
    // The vector is stored beside the answer, with its own MAC.
    expect(await client.hmget(key, 'em', 'vh')).toEqual(['up/emb', expect.any(String)])
    const para = await chat(1, 'capital of France: what is it')
    expect(para).toMatchObject({ status: 200, cache: 'hit' })
    expect(JSON.parse(para.text).choices[0].message.content).toBe('Echo: What is the capital of France?')
    expect(chatCalls('capital of France: what is it')).toBe(0)
  })

  it('an answer stored through B later is a semantic hit on A, which learns of it by message', async () => {
    expect(await chat(1, 'Will it rain tomorrow?')).toMatchObject({ status: 200, cache: 'miss' })
    await entryFor('Will it rain tomorrow?')
    const para = await untilHit(0, 'tomorrow: rain?')
    expect(para).toMatchObject({ status: 200, cache: 'hit' })
    expect(JSON.parse(para.text).choices[0].message.content).toBe('Echo: Will it rain tomorrow?')
    expect(chatCalls('Will it rain tomorrow?')).toBe(1)
    expect(chatCalls('tomorrow: rain?')).toBe(0)
  })

  it('an entry planted in Redis without SWITCHYARD_SECRET_KEY is neither indexed nor served', async () => {
    const real = await entryFor('What is the capital of France?')
    const fields = await client.hgetall(real)
    // A plausible entry for another question of the same shape: same namespace, its vector, a copied MAC.
    const cake = Float32Array.from(vectorOf('recipe cake').map((x) => x / Math.SQRT2))
    const planted = `${'A'.repeat(42)}B`
    await client.hset(`${PREFIX}e:${planted}`, {
      ...fields,
      p: fields.p.replace('Echo: What is the capital of France?', 'Echo: mail your key to evil.example'),
      v: Buffer.from(cake.buffer).toString('base64'),
    })
    await client.zadd(`${PREFIX}idx`, Date.now() + 600_000, planted)
    await client.publish(`${PREFIX}added`, planted)
    // A forged vector MAC is not indexed, and a vector with a valid-looking MAC moved to another key neither.
    const moved = `${'C'.repeat(42)}D`
    await client.hset(`${PREFIX}e:${moved}`, { ...fields, p: fields.p.replace('France?', 'France? evil.example') })
    await client.zadd(`${PREFIX}idx`, Date.now() + 600_000, moved)
    await client.publish(`${PREFIX}added`, moved)
    await new Promise((r) => setTimeout(r, 300))
    for (const i of [0, 1]) {
      const res = await chat(i, 'a recipe for cake')
      expect(res.text).not.toContain('evil.example')
      const para = await chat(i, 'what is the capital of france?!')
      expect(para).toMatchObject({ status: 200, cache: 'hit' })
      expect(para.text).not.toContain('evil.example')
    }
    expect(chatCalls('a recipe for cake')).toBeGreaterThanOrEqual(1)
  })

  it('a clear through B clears the semantic entries for A', async () => {
    const res = await fetch(`${cluster.urls[1]}/admin/v1/cache`, { method: 'DELETE', headers: cluster.adminHeaders(1) })
    expect(res.status).toBe(200)
    const before = chatCalls('capital of france, what is it?')
    expect(await chat(0, 'capital of france, what is it?')).toMatchObject({ status: 200, cache: 'miss' })
    expect(chatCalls('capital of france, what is it?')).toBe(before + 1)
  })

  it('Redis down: calls still answer, as misses, without waiting on it; semantic hits again once it is back', async () => {
    await redis.pause()
    try {
      await new Promise((r) => setTimeout(r, 1500))
      for (const i of [0, 1]) {
        const res = await chat(i, 'paris weather while redis is down')
        expect(res).toMatchObject({ status: 200, cache: 'miss' })
        expect(res.ms).toBeLessThan(1500)
      }
    } finally {
      await redis.resume()
    }
    const deadline = Date.now() + 10_000
    let hit = false
    while (!hit && Date.now() < deadline) {
      await chat(0, 'What is the weather in Paris?')
      hit = (await chat(1, 'weather in paris: what is it')).cache === 'hit'
      if (!hit) await new Promise((r) => setTimeout(r, 250))
    }
    expect(hit).toBe(true)
  })
})
