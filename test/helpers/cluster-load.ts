import OpenAI from 'openai'
import type { GatewayCluster } from './gateway-cluster.js'

/** One call of the load: when it ran, what it was, and how it ended. */
export interface LoadCall {
  startedAt: number
  endedAt: number
  stream: boolean
  requestId?: string
  error?: string
}

export interface LoadRun {
  calls: LoadCall[]
  /** When the signal was sent, and when the process was seen gone (performance.now()). */
  signalledAt: number
  goneAt: number
}

export interface LoadAroundOptions {
  /** The client key the calls send. */
  key: string
  /** The instance sent `signal` once the load has run 1.5 s. */
  instance: number
  signal?: NodeJS.Signals
  /** SDK retries; 0 (the default) leaves getting calls through to nginx alone. */
  maxRetries?: number
  /** How long the load goes on once the instance is gone. */
  afterMs: number
}

/**
 * Six clients calling `mock/mock-gpt` through the cluster's nginx with the `openai` SDK (streaming and not,
 * alternately, each answer checked against the mock's echo) for 1.5 s, then `signal` to one instance, then
 * `afterMs` more once it is gone.
 */
export async function loadAround(cluster: GatewayCluster, options: LoadAroundOptions): Promise<LoadRun> {
  const client = new OpenAI({
    baseURL: `${cluster.lbUrl}/v1`,
    apiKey: options.key,
    maxRetries: options.maxRetries ?? 0,
  })
  const calls: LoadCall[] = []
  let stopAt = Number.POSITIVE_INFINITY
  let n = 0
  const one = async (stream: boolean): Promise<LoadCall> => {
    const content = `call ${n++}`
    const call: LoadCall = { startedAt: performance.now(), endedAt: 0, stream }
    try {
      if (stream) {
        const { data, request_id } = await client.chat.completions
          .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content }], stream: true })
          .withResponse()
        let text = ''
        for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? ''
        if (text !== `Echo: ${content}`) throw new Error(`stream answered ${JSON.stringify(text)}`)
        call.requestId = request_id ?? undefined
      } else {
        const { data, request_id } = await client.chat.completions
          .create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content }] })
          .withResponse()
        if (data.choices[0].message.content !== `Echo: ${content}`) throw new Error('wrong answer')
        call.requestId = request_id ?? undefined
      }
    } catch (err) {
      call.error = String(err)
    }
    call.endedAt = performance.now()
    return call
  }
  const worker = async (w: number) => {
    for (let k = 0; performance.now() < stopAt; k++) calls.push(await one((w + k) % 2 === 0))
  }
  const workers = Array.from({ length: 6 }, (_, w) => worker(w))
  await new Promise((r) => setTimeout(r, 1500))
  const signalledAt = performance.now()
  await cluster.kill(options.instance, options.signal)
  const goneAt = performance.now()
  stopAt = goneAt + options.afterMs
  await Promise.all(workers)
  return { calls, signalledAt, goneAt }
}
