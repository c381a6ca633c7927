/** What the session table needs of a session: when it was last used, whether a response is still open, how to end it. */
export interface TableEntry {
  readonly id: string
  /** Who opened it (a key by name, the admin, open mode): each owner has its own share of the table. */
  readonly owner: string
  lastSeen: number
  /** Responses still being written (a GET notification stream, a long tool call): such a session is not idle. */
  open: number
  close(): Promise<void>
}

export interface SessionLimits {
  /** Sessions kept at once; past it the least recently used one is ended (its client initializes again). */
  max: number
  /**
   * Sessions one owner keeps at once; past it that owner's least recently used one is ended. Without it, one
   * key opening sessions in a loop would end every other key's sessions through the global bound.
   */
  perOwner: number
  /** A session with no request and no open response for this long is ended. */
  idleMs: number
}

/** 2 clients per tool for a handful of tools, with room: each session is one SDK Server and a few maps. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = { max: 128, perOwner: 32, idleMs: 30 * 60_000 }

/**
 * The `/mcp` sessions by `Mcp-Session-Id`, bounded in number and in idle time. Clients often never send the
 * DELETE that ends a session, so without these bounds every reconnecting agent would leave one behind.
 */
export class SessionTable<S extends TableEntry> {
  private readonly sessions = new Map<string, S>()

  constructor(
    private readonly limits: SessionLimits,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.sessions.size
  }

  /** The session, marked as used now; undefined when unknown or already expired. */
  use(id: string): S | undefined {
    const s = this.sessions.get(id)
    if (!s) return undefined
    if (this.expired(s)) {
      this.end(s)
      return undefined
    }
    s.lastSeen = this.clock()
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.sessions.delete(id)
    this.sessions.set(id, s)
    return s
  }

  /** Adds a new session, first ending expired ones, then its owner's oldest past its share, then the oldest of all. */
  add(s: S): void {
    this.sweep()
    const own = this.all().filter((o) => o.owner === s.owner)
    for (const old of own.slice(0, Math.max(0, own.length - this.limits.perOwner + 1))) this.end(old)
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.values().next().value as S
      this.end(oldest)
    }
    this.sessions.set(s.id, s)
  }

  /** Forgets a session that ended by itself (DELETE, transport closed). */
  remove(id: string): void {
    this.sessions.delete(id)
  }

  all(): S[] {
    return [...this.sessions.values()]
  }

  sweep(): void {
    for (const s of this.all()) if (this.expired(s)) this.end(s)
  }

  async closeAll(): Promise<void> {
    const all = this.all()
    this.sessions.clear()
    await Promise.allSettled(all.map((s) => s.close()))
  }

  private expired(s: S): boolean {
    return s.open === 0 && this.clock() - s.lastSeen >= this.limits.idleMs
  }

  private end(s: S): void {
    this.sessions.delete(s.id)
    void s.close().catch(() => {})
  }
}
