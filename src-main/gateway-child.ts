import type { FromGateway, ToGateway } from '../src-gateway/host/messages.js'

/** How a gateway process ended: an exit code, or the signal that killed it (node's adapter only). */
export interface ChildExit {
  code: number | null
  signal?: string | null
}

/**
 * One running gateway process, whatever started it: Electron's utilityProcess in the app
 * (utility-process-child.ts), node:child_process.fork in tests (node-child.ts). Same messages either way.
 */
export interface GatewayChild {
  readonly pid: number | undefined
  send(message: ToGateway): void
  onMessage(listener: (message: FromGateway) => void): void
  onExit(listener: (exit: ChildExit) => void): void
  /** Ends the process (SIGTERM on POSIX). */
  kill(): void
}

export type SpawnGatewayChild = () => GatewayChild

export function describeExit(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`
}

/**
 * The gateway process's environment: main's, without the passphrase of the encrypted secret file. Main opens
 * that file and hands the values over the port, so the gateway process never needs the passphrase itself.
 */
export function gatewayEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SWITCHYARD_SECRET_KEY: _opened, ...rest } = env
  return rest
}
