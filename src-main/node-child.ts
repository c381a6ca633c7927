import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FromGateway } from '../src-gateway/host/messages.js'
import { type GatewayChild, gatewayEnv, type SpawnGatewayChild } from './gateway-child.js'

const ENTRY = fileURLToPath(new URL('../src-gateway/host/gateway-process.ts', import.meta.url))

/**
 * The gateway process as a plain Node child running the TypeScript sources through tsx: how the tests
 * drive the supervisor without Electron. Messages go over node's IPC channel, copied as JSON.
 */
export function nodeGatewayChild(env: NodeJS.ProcessEnv = process.env): SpawnGatewayChild {
  return () => {
    const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], env: gatewayEnv(env), stdio: 'inherit' })
    const gatewayChild: GatewayChild = {
      get pid() {
        return child.pid
      },
      // With a callback, a send racing the child's death fails quietly; its exit event says the rest.
      send: (m) => void child.send(m, () => {}),
      onMessage: (l) => void child.on('message', (m) => l(m as FromGateway)),
      onExit: (l) => void child.once('exit', (code, signal) => l({ code, signal })),
      kill: () => void child.kill('SIGTERM'),
    }
    return gatewayChild
  }
}
