// What `serve --workers` passes between its primary (host/workers.ts) and each worker (host/worker-link.ts).

/** Set by the primary in each worker's environment: its slot (0-based). */
export const SLOT_ENV = 'SWITCHYARD_WORKER_SLOT'
/** The address the primary listens on: a worker applies the off-loopback rules of that address. */
export const HOST_ENV = 'SWITCHYARD_WORKER_HOST'

export type ToWorker =
  /** A client connection (the socket travels with the message) and the bytes the primary read from it, base64. */
  | { type: 'connection'; head: string }
  /** The answer to a `redeem`. */
  | { type: 'redeemed'; id: number; ok: boolean }

export type FromWorker =
  /** Built and ready for connections, with what the primary's banner says about signing in (slot 0's is printed). */
  | ({ type: 'ready' } & SignInInfo)
  /** A one-time sign-in code to spend: the primary made it, so it is spent once whichever worker gets the link. */
  | { type: 'redeem'; id: number; code: string }

/** Solo mode: the primary prints a code of its own. Team mode: the setup link until the first owner exists. */
export type SignInInfo = { mode: 'solo' } | { mode: 'team'; teamSetupToken: string | null }
