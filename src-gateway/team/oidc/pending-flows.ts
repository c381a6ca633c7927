import { randomBytes } from 'node:crypto'

/** How long a person may spend at the provider's sign-in page. */
export const FLOW_TTL_MS = 10 * 60 * 1000
/** Sign-ins under way at once; past it the oldest is dropped. */
const MAX_FLOWS = 1000
/** Per client address, so one address starting flows in a loop drops its own oldest, not everyone's. */
const MAX_FLOWS_PER_ADDRESS = 16

/** What the callback must match, kept server-side: the browser holds only the random id. */
export interface PendingFlow {
  state: string
  nonce: string
  codeVerifier: string
  redirectUri: string
  /** The issuer the flow began with: a config change in between ends it. */
  issuer: string
  address: string
  expiresAt: number
}

/**
 * Sign-ins begun at /auth/oidc/start and not yet back: bounded, expiring, each taken at most once (a replayed
 * callback finds nothing). A Map keeps insertion order, so its first entry is the oldest.
 */
export class PendingFlows {
  private readonly flows = new Map<string, PendingFlow>()

  constructor(private readonly clock: () => number = Date.now) {}

  add(flow: Omit<PendingFlow, 'expiresAt'>): string {
    this.sweep()
    const mine = [...this.flows].filter(([, f]) => f.address === flow.address)
    if (mine.length >= MAX_FLOWS_PER_ADDRESS) this.flows.delete(mine[0][0])
    const id = randomBytes(32).toString('base64url')
    this.flows.set(id, { ...flow, expiresAt: this.clock() + FLOW_TTL_MS })
    if (this.flows.size > MAX_FLOWS) this.flows.delete(this.flows.keys().next().value as string)
    return id
  }

  /** The flow under `id` if it is live; it is gone afterwards either way. */
  take(id: string): PendingFlow | undefined {
    const flow = this.flows.get(id)
    this.flows.delete(id)
    return flow && this.clock() <= flow.expiresAt ? flow : undefined
  }

  get size(): number {
    return this.flows.size
  }

  private sweep(): void {
    const now = this.clock()
    for (const [id, f] of this.flows) if (f.expiresAt < now) this.flows.delete(id)
  }
}
