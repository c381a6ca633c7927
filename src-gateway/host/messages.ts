// The messages between the desktop app's main process and the gateway process (src-gateway/host/
// gateway-process.ts). Plain data only: they cross Electron's utilityProcess port, or node's IPC channel
// in tests, and both copy them.

/** A secret store's current values as main holds them; the gateway process keeps them in memory only. */
export interface SecretsSnapshot {
  kind: string
  persisted: boolean
  keyFile?: string
  values: Record<string, string>
}

/** Which of main's two stores a secret belongs to: the config's, or the key of `logs.encryptBodies`. */
export type SecretStoreName = 'secrets' | 'bodyKeys'

export interface StartMessage {
  type: 'start'
  dataDir: string
  /** Ports tried in order (the one a crashed gateway had, then 4141); a free one when all are taken. */
  ports: number[]
  /** Whether model calls start paused: a restart keeps the user's pause. */
  paused: boolean
  secrets: SecretsSnapshot
  bodyKeys?: SecretsSnapshot
}

export type GatewayRequest = { op: 'status' } | { op: 'pause'; paused: boolean } | { op: 'close' }

export type ToGateway = StartMessage | ({ type: 'request'; id: number } & GatewayRequest)

export interface ReadyMessage {
  type: 'ready'
  port: number
  baseUrl: string
  /** The PEM the gateway serves when it listens with TLS. */
  certificatePem?: string
  /** The window sends it as `Authorization: Bearer`; it lives in the data dir, so a restart keeps it. */
  adminToken: string
  /** How long a close may take: calls in flight get `server.shutdownGraceMs`, then the log writer its grace. */
  closeWithinMs: number
}

export type FromGateway =
  | ReadyMessage
  | { type: 'failed'; message: string }
  | { type: 'reply'; id: number; ok: true; value?: unknown }
  | { type: 'reply'; id: number; ok: false; message: string }
  /** Said without being asked, e.g. the log writer's warnings when rows cannot be written. */
  | { type: 'notice'; level: 'warning'; message: string }
  /** A secret set (`value`) or deleted (no `value`) through the admin API: main seals and stores it. */
  | { type: 'secret'; store: SecretStoreName; name: string; value?: string }
