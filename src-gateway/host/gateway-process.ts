// First, so V8's memory settings apply to the gateway process from here on.
import '../memory-tuning.js'
import type { FromGateway, StartMessage, ToGateway } from './messages.js'
import { mirroredSecretStore } from './mirrored-secrets.js'
import { type RunningGateway, runGateway } from './run-gateway.js'

// The desktop app's gateway process: Fastify, SQLite and every policy, apart from the window and tray, so a
// gateway crash leaves them running and main starts a new one (src-main/gateway-supervisor.ts). Driven by
// messages (messages.ts): start -> ready | failed; status, pause and close requests get replies.
// Started by Electron's utilityProcess (messages on `process.parentPort`) or, in tests, by
// node:child_process.fork (`process.send`). No Electron import here: the same file runs in both.

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

function parentChannel(): { send(m: FromGateway): void; onMessage(l: (m: ToGateway) => void): void } {
  const port = (process as { parentPort?: ParentPort }).parentPort
  if (port) {
    return {
      send: (m) => port.postMessage(m),
      onMessage: (l) => port.on('message', (e) => l(e.data as ToGateway)),
    }
  }
  const send = process.send?.bind(process)
  if (!send) throw new Error('gateway-process: start it with utilityProcess.fork or child_process.fork')
  // Forked by node: when the parent goes, so does this gateway, after writing its queued log rows.
  process.once('disconnect', () => void closeAndExit())
  return { send: (m) => void send(m), onMessage: (l) => process.on('message', (m) => l(m as ToGateway)) }
}

const channel = parentChannel()
let gateway: RunningGateway | undefined

async function closeAndExit(): Promise<never> {
  await gateway?.close().catch(() => {})
  process.exit(0)
}

// The gateway's parts say when something fails in the background through process warnings (the log writer's
// `SwitchyardLogWriter` when rows cannot be written, the OTLP exporter's, retention's and the cache's plain
// ones): the user should hear of it in the window, not only in a log file. Node's own deprecation and
// experimental warnings stay out.
process.on('warning', (w) => {
  if (w.name === 'Warning' || w.name.startsWith('Switchyard')) {
    channel.send({ type: 'notice', level: 'warning', message: w.message })
  }
})

async function start(m: StartMessage): Promise<void> {
  const tellMain = (change: { store: 'secrets' | 'bodyKeys'; name: string; value?: string }) =>
    channel.send({ type: 'secret', ...change })
  try {
    gateway = await runGateway({
      dataDir: m.dataDir,
      ports: m.ports,
      paused: m.paused,
      secrets: mirroredSecretStore('secrets', m.secrets, tellMain),
      bodyKeys: m.bodyKeys && mirroredSecretStore('bodyKeys', m.bodyKeys, tellMain),
    })
  } catch (err) {
    channel.send({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
    return
  }
  const { port, baseUrl, certificatePem, adminToken, closeWithinMs } = gateway
  channel.send({ type: 'ready', port, baseUrl, certificatePem, adminToken, closeWithinMs })
}

async function answer(m: Extract<ToGateway, { type: 'request' }>): Promise<unknown> {
  if (!gateway) throw new Error('the gateway has not started')
  switch (m.op) {
    case 'status':
      return gateway.status()
    case 'pause':
      return gateway.setPaused(m.paused)
    case 'close':
      // Main ends this process once the reply arrives: every queued log row is written by then.
      return gateway.close()
  }
}

channel.onMessage((m) => {
  if (m.type === 'start') return void start(m)
  answer(m).then(
    (value) => channel.send({ type: 'reply', id: m.id, ok: true, value }),
    (err: unknown) =>
      channel.send({ type: 'reply', id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
  )
})
