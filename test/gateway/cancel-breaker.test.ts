import OpenAI, { APIUserAbortError } from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ADAPTERS } from '../../src-gateway/providers/registry.js'
import { startGateway, type TestGateway, waitForEvents } from '../helpers/gateway.js'
import {
  CHAT_COMPLETION,
  type RunningMock,
  sendJson,
  sendSse,
  startMockUpstream,
  startScriptedUpstream,
} from '../helpers/upstreams.js'

// Issue 23: a caller that gives up, or the gateway's own exception, says nothing about the upstream's
// health, so neither may count toward its circuit breaker; nor may an event-loop stall.

type Scripted = Awaited<ReturnType<typeof startScriptedUpstream>>
let up: Scripted

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const lastUser = (body: unknown) => {
  const messages = (body as { messages: { content: string }[] }).messages
  return messages[messages.length - 1].content
}

beforeAll(async () => {
  // Every provider id below is a path prefix on this one upstream: asked `slow` it answers after 3 s, `fail`
  // is a 500, `hang` never answers, anything else answers at once.
  up = await startScriptedUpstream(
    Object.fromEntries(
      ['storm', 'backup', 'probe', 'bug', 'failing', 'slowpoke'].map((p) => [
        `POST /${p}/v1/chat/completions`,
        async (req, res) => {
          // The backup always answers at once, `failing` always fails, `slowpoke` is always slow.
          const fixed: Record<string, string> = { backup: 'hi', failing: 'fail', slowpoke: 'slow' }
          const text = fixed[p] ?? lastUser(req.body)
          if (text === 'fail') return sendJson(res, 500, { error: { message: 'boom', type: 'server_error' } })
          if (text === 'hang') return
          if (text === 'slow') await sleep(3000)
          if (res.destroyed) return
          const content = `${p} answered`
          if ((req.body as { stream?: boolean }).stream) {
            const chunk = {
              id: 'c1',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'm',
              choices: [{ index: 0, delta: { content }, finish_reason: 'stop' }],
            }
            return sendSse(res, [`data: ${JSON.stringify(chunk)}\n\n`, 'data: [DONE]\n\n'])
          }
          sendJson(res, 200, {
            ...CHAT_COMPLETION,
            choices: [{ ...CHAT_COMPLETION.choices[0], message: { role: 'assistant', content } }],
          })
        },
      ]),
    ),
  )
})
afterAll(() => up.stop())

const provider = (id: string) => `  ${id}: { type: openai-compatible, baseUrl: "${up.url}/${id}/v1" }`

function client(gw: TestGateway): OpenAI {
  return new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}

/** Calls `model` with `text`; the caller aborts after `abortMs` (the SDK's AbortController, as a client would). */
async function callAndAbort(openai: OpenAI, model: string, text: string, abortMs: number): Promise<void> {
  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(), abortMs)
  await openai.chat.completions
    .create({ model, messages: [{ role: 'user', content: text }] }, { signal: ctrl.signal })
    .then(
      () => expect.fail('the call should have been aborted'),
      (err) => expect(err).toBeInstanceOf(APIUserAbortError),
    )
  clearTimeout(timer)
}

describe('cancels are not failures', () => {
  let gw: TestGateway
  let now = 1_000_000
  beforeAll(async () => {
    gw = await startGateway(
      `
server:
  breaker: { failureThreshold: 2, cooldownMs: 10000, minRequests: 1000 }
providers:
${provider('storm')}
${provider('backup')}
${provider('probe')}
${provider('bug')}
${provider('failing')}
${provider('slowpoke')}
routes:
  local-first: { retries: { attempts: 0 }, targets: [ { model: storm/m }, { model: backup/m } ] }
  probed: { retries: { attempts: 0 }, targets: [ { model: probe/m } ] }
  buggy: { retries: { attempts: 0 }, targets: [ { model: bug/m }, { model: backup/m } ] }
  fail-then-slow: { retries: { attempts: 0 }, targets: [ { model: failing/m }, { model: slowpoke/m } ] }
`,
      {},
      { clock: () => now },
    )
  })
  afterAll(() => gw.close())
  afterEach(() => vi.restoreAllMocks())

  it('a cancel storm on a slow upstream leaves its circuit closed, and the rows say the client cancelled', async () => {
    const openai = client(gw)
    const before = gw.events.length
    // Five callers that give up after 300 ms on a 3 s upstream (the threshold here is 2).
    await Promise.all(Array.from({ length: 5 }, () => callAndAbort(openai, 'local-first', 'slow', 300)))
    const rows = (await waitForEvents(gw, before + 5)).slice(before)
    for (const row of rows) {
      expect(row).toMatchObject({ status: 499, error: 'aborted', provider: 'storm' })
      expect(row.attemptFailures ?? []).toEqual([])
    }
    const { data, response } = await openai.chat.completions
      .create({ model: 'local-first', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(response.headers.get('x-switchyard-provider')).toBe('storm')
    expect(data.choices[0].message.content).toBe('storm answered')
  }, 15_000)

  it("a cancelled call's row keeps the real failures before the cancel, not the cancelled attempt", async () => {
    const before = gw.events.length
    await callAndAbort(client(gw), 'fail-then-slow', 'hi', 300)
    const [row] = (await waitForEvents(gw, before + 1)).slice(before)
    expect(row).toMatchObject({ status: 499, error: 'aborted', provider: 'slowpoke' })
    expect(row.attemptFailures).toEqual([expect.objectContaining({ provider: 'failing', status: 500 })])
  })

  it('an aborted half-open probe lets the next call probe instead of re-opening the circuit', async () => {
    const openai = client(gw)
    for (let i = 0; i < 2; i++) {
      await expect(
        openai.chat.completions.create({ model: 'probed', messages: [{ role: 'user', content: 'fail' }] }),
      ).rejects.toThrow()
    }
    await expect(
      openai.chat.completions.create({ model: 'probed', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toThrow(/circuit open/)
    now += 11_000
    await callAndAbort(openai, 'probed', 'slow', 300)
    const ok = await openai.chat.completions.create({ model: 'probed', messages: [{ role: 'user', content: 'hi' }] })
    expect(ok.choices[0].message.content).toBe('probe answered')
  }, 15_000)

  it("the gateway's own exception is a 500 that no breaker counts", async () => {
    const openai = client(gw)
    // A bug in reading an upstream error: the upstream's 500 is real, the exception is ours.
    vi.spyOn(ADAPTERS['openai-compatible'], 'error').mockImplementation(() => {
      throw new TypeError('a bug in the adapter')
    })
    for (let i = 0; i < 3; i++) {
      await expect(
        openai.chat.completions.create({ model: 'buggy', messages: [{ role: 'user', content: 'fail' }] }),
      ).rejects.toMatchObject({ status: 500 })
    }
    vi.restoreAllMocks()
    const { data, response } = await openai.chat.completions
      .create({ model: 'buggy', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(response.headers.get('x-switchyard-provider')).toBe('bug')
    expect(data.choices[0].message.content).toBe('bug answered')
  })
})

describe('an event-loop stall', () => {
  let mock: RunningMock
  let gw: TestGateway
  beforeAll(async () => {
    // Its own process, so it answers while this one is stalled.
    mock = await startMockUpstream(['--latency-ms', '300'])
    gw = await startGateway(`
server:
  breaker: { failureThreshold: 1, minRequests: 1000 }
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  stalled: { retries: { attempts: 0 }, timeouts: { firstByteMs: 1000 }, targets: [ { model: mock/m } ] }
`)
  })
  afterAll(async () => {
    await gw.close()
    await mock.stop()
  })

  it('does not time out an answer that arrived during the stall, so a healthy circuit stays closed', async () => {
    const call = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stalled', messages: [{ role: 'user', content: 'hi' }] }),
    })
    // The request is upstream by now; the answer comes at 300 ms, while this process is busy for 2 s (a
    // synchronous report, say). The first-byte timer is then due before the answer is read.
    // Stalled from a check-phase callback (as from an I/O one, say a handler): the next loop turn runs its
    // due timers before it reads the sockets.
    await sleep(100)
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = performance.now() + 2000
        while (performance.now() < until) {
          // stalled
        }
        resolve()
      }),
    )
    const res = await call
    expect(res.status).toBe(200)
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content).toBe(
      'Echo: hi',
    )
  })
})

describe('a half-open probe', () => {
  let gw: TestGateway
  let now = 1_000_000
  beforeAll(async () => {
    gw = await startGateway(
      `
server:
  breaker: { failureThreshold: 1, cooldownMs: 10000, minRequests: 1000, probeFirstByteMs: 300 }
providers:
${provider('probe')}
${provider('backup')}
routes:
  probed: { retries: { attempts: 0 }, targets: [ { model: probe/m }, { model: backup/m } ] }
`,
      {},
      { clock: () => now },
    )
  })
  afterAll(() => gw.close())

  it('waits for its first byte only as long as the bounded probe timeout, then falls back', async () => {
    const openai = client(gw)
    // The first target fails it (its circuit opens), the backup answers.
    await openai.chat.completions.create({ model: 'probed', messages: [{ role: 'user', content: 'fail' }] })
    now += 11_000
    // The target's own first-byte timeout is the local default; the probe's is 300 ms.
    const t0 = performance.now()
    const stream = await openai.chat.completions.create({
      model: 'probed',
      stream: true,
      messages: [{ role: 'user', content: 'hang' }],
    })
    let text = ''
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? ''
    expect(text).toBe('backup answered')
    // The probe's 300 ms, then the backup: 2 s is room for a loaded machine, far below the 30 s of the target's
    // own (local default) first-byte timeout.
    expect(performance.now() - t0).toBeLessThan(2000)
    const row = (await waitForEvents(gw, 2))[1]
    expect(row.attemptFailures?.[0]).toMatchObject({ provider: 'probe', status: 504 })
    expect(row.attemptFailures?.[0].error).toMatch(/within 300 ms/)
  })
})
