import { join } from 'node:path'
import { utilityProcess } from 'electron'
import type { FromGateway } from '../src-gateway/host/messages.js'
import { gatewayEnv, type SpawnGatewayChild } from './gateway-child.js'

/**
 * The gateway process in the app: Electron's utilityProcess running the bundle's `gateway-process.js`
 * (an entry of electron.vite.config.ts's main build, next to index.js). Its output joins the app's
 * (`stdio: 'inherit'`). Call after the app is ready.
 */
export function utilityGatewayChild(): SpawnGatewayChild {
  return () => {
    const child = utilityProcess.fork(join(__dirname, 'gateway-process.js'), [], {
      serviceName: 'Switchyard gateway',
      stdio: 'inherit',
      env: gatewayEnv(process.env),
    })
    return {
      get pid() {
        return child.pid
      },
      send: (m) => child.postMessage(m),
      onMessage: (l) => void child.on('message', (m: FromGateway) => l(m)),
      onExit: (l) => void child.once('exit', (code) => l({ code })),
      kill: () => void child.kill(),
    }
  }
}
