import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams.js'

// User patterns (custom redaction, guardrails, `regex` assertions) must not stall the event loop. On a
// backtracking engine `(a|aa)*c` against N letters `a` takes about φ^N steps: at N = 36, seconds while V8
// interprets the regex, still hundreds of ms once it has compiled it. While one such request is in
// flight, `/health` must keep answering within 100 ms.

const CATASTROPHIC = '(a|aa)*c'
/** The same trap for patterns that also read the answer: the mock's answers start "Echo: ", which has a `c`. */
const CATASTROPHIC_B = '(a|aa)*b'
const BOMB = 'a'.repeat(36)
/** Far past anything a backtracking engine survives; linear engines take a few milliseconds. */
const LONG = 'a'.repeat(5_000)
const HEALTH_MS = 100

// biome-ignore lint/suspicious/noExplicitAny: test reads loosely typed API payloads
type Json = any

let mock: RunningMock
let app: FastifyInstance | undefined
let url: string
const dir = mkdtempSync(join(tmpdir(), 'switchyard-regex-'))

beforeAll(async () => {
  mock = await startMockUpstream()
})
afterEach(async () => {
  await app?.close()
  app = undefined
})
afterAll(async () => {
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const providers = () => `providers:\n  mock: { type: openai, baseUrl: "${mock.url}/v1", apiKey: "sk-test" }\n`

let apiKey = 'x'

async function start(extra: string, key = 'x'): Promise<void> {
  apiKey = key
  app = buildGateway(parseConfig(providers() + extra, 'yaml'), {
    webRoot: false,
    dataDir: mkdtempSync(join(dir, 'd-')),
  })
  url = await app.listen({ host: '127.0.0.1', port: 0 })
  // First calls load what the gateway loads lazily (tokenizer tables, the assertion engine): not measured.
  await openai().chat.completions.create({ model: 'mock/gpt-a', messages: [{ role: 'user', content: 'warm up' }] })
}

/** The slowest `/health` round trip while `work` is in flight (one probe at least). */
async function worstHealthDuring(work: Promise<unknown>): Promise<number> {
  let settled = false
  const tracked = work.finally(() => {
    settled = true
  })
  let worst = 0
  do {
    const t = performance.now()
    const res = await fetch(`${url}/health`)
    await res.arrayBuffer()
    worst = Math.max(worst, performance.now() - t)
  } while (!settled)
  await tracked
  return worst
}

/**
 * Runs `work` while probing `/health`, up to three times: the slowest probe of the best attempt must stay
 * under 100 ms. A backtracking pattern blocks the loop on every attempt; a busy machine delays a probe only
 * now and then. Answers what the last attempt's work resolved to.
 */
async function healthStaysFastDuring<T>(work: () => Promise<T>): Promise<T> {
  let best = Number.POSITIVE_INFINITY
  let result: T | undefined
  for (let attempt = 0; attempt < 3 && best >= HEALTH_MS; attempt++) {
    const pending = work()
    best = Math.min(best, await worstHealthDuring(pending))
    result = await pending
  }
  expect(best).toBeLessThan(HEALTH_MS)
  return result as T
}

const openai = () => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })

describe('custom redaction patterns', () => {
  it('a catastrophic pattern on a long run of "a" leaves /health answering', async () => {
    await start(`redaction: { mode: mask, detect: [email], custom: [{ name: bomb, pattern: "${CATASTROPHIC}" }] }\n`)
    for (const content of [BOMB, LONG]) {
      const reply = await healthStaysFastDuring(() =>
        openai().chat.completions.create({ model: 'mock/gpt-a', messages: [{ role: 'user', content }] }),
      )
      expect(reply.choices[0].message.content).toBe(`Echo: ${content}`)
    }
  })

  it('a pattern with lookaround or a backreference is refused at config time, naming the field', () => {
    expect(() =>
      parseConfig(
        `${providers()}redaction: { mode: mask, custom: [{ name: id, pattern: "(?<=id:)\\\\d+" }] }\n`,
        'yaml',
      ),
    ).toThrow(/redaction\/custom\/0\/pattern: .*lookaround/)
    expect(() =>
      parseConfig(`${providers()}redaction: { mode: mask, custom: [{ name: dup, pattern: "(a)\\\\1" }] }\n`, 'yaml'),
    ).toThrow(/redaction\/custom\/0\/pattern: .*backreference/)
  })
})

describe('guardrail patterns', () => {
  const guarded = (stage: 'input' | 'output') =>
    `routes:\n  guarded:\n    targets: [{ model: mock/gpt-a }]\n    guardrails: { ${stage}: [{ type: blocked_patterns, patterns: ["${CATASTROPHIC_B}"] }] }\n`

  it.each(['input', 'output'] as const)('a catastrophic %s pattern leaves /health answering', async (stage) => {
    await start(guarded(stage))
    for (const content of [BOMB, LONG]) {
      const reply = await healthStaysFastDuring(() =>
        openai().chat.completions.create({ model: 'guarded', messages: [{ role: 'user', content }] }),
      )
      expect(reply.choices[0].message.content).toBe(`Echo: ${content}`)
    }
  })

  it('a catastrophic output pattern on a streamed answer leaves /health answering', async () => {
    await start(guarded('output'))
    for (const content of [BOMB, LONG]) {
      const text = await healthStaysFastDuring(async () => {
        const stream = await openai().chat.completions.create({
          model: 'guarded',
          stream: true,
          messages: [{ role: 'user', content }],
        })
        let received = ''
        for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? ''
        return received
      })
      expect(text).toBe(`Echo: ${content}`)
    }
  })

  it('the built-in prompt-injection check on a text of many image links leaves /health answering', async () => {
    // Its image-beacon pattern has two open-ended runs: backtracking took seconds here, minutes at 40 KB.
    await start(
      `routes:\n  guarded:\n    targets: [{ model: mock/gpt-a }]\n    guardrails: { input: [{ type: prompt_injection }] }\n`,
    )
    const content = '![a](http://x?'.repeat(700)
    const reply = await healthStaysFastDuring(() =>
      openai().chat.completions.create({ model: 'guarded', messages: [{ role: 'user', content }] }),
    )
    expect(reply.choices[0].message.content).toBe(`Echo: ${content}`)
  })

  it('a pattern with lookaround is refused at config time, naming the field', () => {
    expect(() =>
      parseConfig(
        `${providers()}routes:\n  guarded:\n    targets: [{ model: mock/gpt-a }]\n    guardrails: { input: [{ type: blocked_patterns, patterns: ["pass(?!word)"] }] }\n`,
        'yaml',
      ),
    ).toThrow(/routes\/guarded\/guardrails\/input\/0\/patterns\/0: .*lookaround/)
  })
})

describe('model globs on keys', () => {
  it('a glob with several stars against a long model name leaves /health answering', async () => {
    // As a regex, `*-*-*-x` is `^.*-.*-.*-x$`: cubic backtracking on a long run of dashes (seconds at 2,000).
    const key = 'sk-ci-key-0123456789'
    await start(`keys:\n  - { name: ci, key: ${key}, models: ["mock/*", "*-*-*-x"] }\n`, key)
    const model = `${'-'.repeat(2_000)}y`
    const status = await healthStaysFastDuring(() =>
      openai()
        .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
        .then(() => 200)
        .catch((err: { status?: number }) => err.status),
    )
    expect(status).toBe(403)
  })
})

describe('regex assertions', () => {
  async function admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${app!.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return res.json()
  }

  async function finishedRun(text: string): Promise<Json> {
    const { id } = await admin('POST', '/admin/v1/compare/runs', {
      messages: [{ role: 'user', content: '{{text}}' }],
      models: ['mock/gpt-a'],
      dataset: { rows: [{ text }] },
      assertions: [
        { type: 'regex', value: CATASTROPHIC_B },
        { type: 'regex', value: '/^echo: A+$/i' },
        { type: 'regex', value: '(?=a)' },
      ],
    })
    for (let i = 0; i < 400; i++) {
      const snapshot = await admin('GET', `/admin/v1/compare/runs/${id}`)
      if (!snapshot.isActive) return snapshot
      await new Promise((r) => setTimeout(r, 25))
    }
    throw new Error('run did not finish')
  }

  it('a catastrophic pattern against a long answer leaves /health answering and fails the assertion', async () => {
    await start('')
    for (const text of [BOMB, LONG]) {
      const finished = await healthStaysFastDuring(() => finishedRun(text))
      expect(finished.status).toBe('done')
      expect(finished.cells[0].assertions.map((a: Json) => [a.pass, a.reason])).toEqual([
        [false, `expected to match ${CATASTROPHIC_B}`],
        [true, 'expected to match /^echo: A+$/i'],
        [false, expect.stringMatching(/^invalid regex: uses lookaround/)],
      ])
    }
  })
})
