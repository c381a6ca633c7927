import { randomBytes } from 'node:crypto'

const IDLE_MS = 12 * 60 * 60 * 1000
const CODE_TTL_MS = 10 * 60 * 1000
/** More sign-ins than any one user makes; past it the least recently used session goes. */
const MAX_SESSIONS = 256
const MAX_CODES = 64

const newId = () => randomBytes(32).toString('base64url')

/** Adds a fresh id to `map` with `value`, dropping the oldest entry past `max`; returns the id. */
function addCapped(map: Map<string, number>, value: number, max: number): string {
  const id = newId()
  map.set(id, value)
  if (map.size > max) map.delete(map.keys().next().value as string)
  return id
}

/**
 * Web UI sessions and one-time sign-in codes, in memory: a restart signs everyone out, which is the
 * safe direction. A Map keeps insertion order, and a session is re-inserted when used, so the first
 * entry is always the least recently used one.
 */
export class Sessions {
  private readonly sessions = new Map<string, number>()
  private readonly codes = new Map<string, number>()

  constructor(
    private readonly clock: () => number = Date.now,
    /**
     * Where printed sign-in codes are spent when another process made them (`serve --workers`: the primary), so a
     * code works once whichever worker the link reaches.
     */
    private readonly codeIssuer?: { redeemCode(code: string): Promise<boolean> },
  ) {}

  /** A new session id, for the cookie. */
  open(): string {
    return addCapped(this.sessions, this.clock(), MAX_SESSIONS)
  }

  /** Whether `id` is a live session; using it keeps it alive. */
  touch(id: string): boolean {
    const last = this.sessions.get(id)
    if (last === undefined) return false
    this.sessions.delete(id)
    const now = this.clock()
    if (now - last > IDLE_MS) return false
    this.sessions.set(id, now)
    return true
  }

  close(id: string): void {
    this.sessions.delete(id)
  }

  /** A code that opens one session within ten minutes (the link `switchyard serve` prints). */
  createCode(): string {
    return addCapped(this.codes, this.clock() + CODE_TTL_MS, MAX_CODES)
  }

  /** Spends a code the sign-in link carries: this object's own, or the issuer's when there is one. */
  spendLinkCode(code: string): Promise<boolean> {
    return this.codeIssuer ? this.codeIssuer.redeemCode(code) : Promise.resolve(this.redeem(code))
  }

  /** Spends a code: true once, for a code that exists and has not expired. */
  redeem(code: string): boolean {
    const expires = this.codes.get(code)
    if (expires === undefined) return false
    this.codes.delete(code)
    return this.clock() <= expires
  }
}
