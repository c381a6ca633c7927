// `node --import tsx test/bench/cancel-fallback.ts [SOURCE_ROOT]`: issue 23's two breaker/timeout
// measurements, on the gateway built from SOURCE_ROOT (default this tree; an old worktree gives the
// "before"). Prints one line each:
// - cancel storm: 5 callers give up after 1 s on a healthy upstream that takes 3 s; then the circuit's
//   state (switchyard_circuit_state on /metrics) and who serves the next call.
// - local fallback: the docs' local-first route (ollama first, retries: { attempts: 1 }, default timeouts)
//   whose local server accepts calls and never answers; how long a streamed call takes to be answered
//   by the cloud target. Old code: minutes, so run it in the background.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { Agent, fetch as fetchWithoutLimit } from 'undici'

const here = resolve(import.meta.dirname, '../..')
const root = resolve(process.argv[2] ?? here)
const { parseConfig } = await import(join(root, 'src-gateway/config/load.ts'))
const { buildGateway } = await import(join(root, 'src-gateway/server.ts'))

const completion = (content: string) =>
  JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  })

/** /slow/… answers after 3 s, /hung/… never, /cloud/… at once (JSON or one SSE chunk). */
async function upstream(): Promise<string> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    for await (const c of req) body += c
    if (req.url?.startsWith('/hung/')) return
    if (req.url?.startsWith('/slow/')) await new Promise((r) => setTimeout(r, 3000))
    if (res.destroyed) return
    if (req.method !== 'POST') return res.writeHead(404).end()
    if ((JSON.parse(body) as { stream?: boolean }).stream) {
      const chunk = {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: { content: 'cloud' }, finish_reason: 'stop' }],
      }
      res
        .writeHead(200, { 'content-type': 'text/event-stream' })
        .end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`)
    } else res.writeHead(200, { 'content-type': 'application/json' }).end(completion('ok'))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  server.unref()
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const up = await upstream()
const app = buildGateway(
  parseConfig(
    `
providers:
  slow: { type: openai-compatible, baseUrl: "${up}/slow/v1" }
  local: { type: ollama, baseUrl: "${up}/hung" }
  cloud: { type: openai, apiKey: sk-bench, baseUrl: "${up}/cloud/v1" }
routes:
  coding:
    retries: { attempts: 1 }
    targets: [ { model: local/qwen2.5-coder:7b }, { model: cloud/gpt-4o-mini } ]
`,
    'yaml',
  ),
  { webRoot: false },
)
const url = await app.listen({ host: '127.0.0.1', port: 0 })
const chat = (model: string, init: RequestInit = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    ...init,
  })

// Cancel storm.
await Promise.all(
  Array.from({ length: 5 }, () => chat('slow/m', { signal: AbortSignal.timeout(1000) }).catch(() => undefined)),
)
const metrics = await (await fetch(`${url}/metrics`)).text()
const state = /switchyard_circuit_state\{provider="slow",[^}]*\} (\d)/.exec(metrics)?.[1]
const next = await chat('slow/m')
const circuit = { '0': 'closed', '1': 'half-open', '2': 'open' }[state ?? ''] ?? `unknown (${state})`
console.log(
  `cancel storm: circuit ${circuit}; next call ${next.status === 200 ? 'served by the provider' : `refused (${next.status})`}`,
)

// Local fallback.
const t0 = performance.now()
// undici's fetch with no wait limit of its own: the old code takes longer than fetch's 300 s for headers.
const seconds = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`
try {
  const res = await fetchWithoutLimit(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'coding', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    dispatcher: new Agent({ headersTimeout: 0, bodyTimeout: 0 }),
  })
  const text = await res.text()
  const attempts = res.headers.get('x-switchyard-attempts')
  const served = res.headers.get('x-switchyard-provider')
  console.log(
    `local fallback: ${seconds()} to an answer from ${served} (${attempts} attempts, ${text.includes('cloud') ? 'ok' : 'no text'})`,
  )
} catch (err) {
  // The old code outlasts the gateway's own 10-minute idle-socket limit, which cuts the call.
  console.log(`local fallback: no answer; the connection failed after ${seconds()} (${(err as Error).cause ?? err})`)
}
await app.close()
