import { randomBytes } from 'node:crypto'
import type { PoolClient } from 'pg'
import { DatabaseUnavailableError } from '../../core/database-unavailable.js'
import type { Principal } from '../../team/principal.js'
import {
  IDLE_MS,
  judgeSession,
  newSession,
  plausibleSessionId,
  type SessionRow,
  type SessionVia,
  type TeamSessions,
} from '../../team/team-sessions.js'
import {
  type Account,
  type AccountRow,
  accountColumns,
  accountInsert,
  digestOf,
  EmailTakenError,
  hashPassword,
  keptWorkspaces,
  LastOwnerError,
  MAX_SETUP_TOKEN_LENGTH,
  maybeServiceToken,
  newId,
  newServiceToken,
  OwnerExistsError,
  type PlainTotpRow,
  resealedTotp,
  SETUP_TTL_MS,
  type ServiceAccountRecord,
  type ServiceRow,
  TEAM_LIST_TABLES,
  type TeamStore,
  toAccount,
  toService,
  totpColumns,
  usedLongAgo,
  type WorkspaceListRow,
} from '../../team/team-store.js'
import type { TotpCipher } from '../../team/totp-cipher.js'
import type { PgLifecycle } from './lifecycle.js'
import type { PgPool } from './pool.js'
import { readyPool, withPool } from './ready-pool.js'

/** The periodic re-read behind the change notices (S4): a notice lost while the listener reconnected is late by this much at most. */
const TEAM_REREAD_MS = 5000
/** The notice channel (`switchyard_team`): any change to accounts, service accounts or sessions. */
const TEAM_CHANNEL = 'team'
/**
 * Lookups of a session or service token this instance's copy does not hold (made on another instance a moment ago,
 * before its notice arrived) may query Postgres, this many at once: cookies or tokens made up by a caller cost at
 * most this many index probes in flight, and the ones past it are refused rather than queued.
 */
const MAX_PROBES = 4
/** What a 503 names while Postgres is unreachable. */
const WHAT = 'team accounts and sessions'
/** How many absent digests are remembered before the list starts again. */
const MAX_ABSENT = 10_000
/** Guarded owner changes (the first owner, the last one) of every instance take turns under this advisory lock. */
const TEAM_OWNERS_LOCK = 0x5359_0040

/** The notices this store sends and hears (store/pg/notify.ts's PgNotifier). */
export interface TeamNotices {
  listen(channel: string, listener: (payload: string) => void): () => void
  notify(channel: string, payload: string): Promise<void>
  readonly origin: string
}

interface SessionRecord {
  account_id: string
  created_at: number
  expires_at: number
  last_seen_at: number
}
type ServiceRecordRow = ServiceRow & { token_digest: string }

interface Snapshot {
  accounts: Map<string, Omit<AccountRow, 'last_seen_at'>>
  byEmail: Map<string, string>
  services: Map<string, ServiceRecordRow>
  byToken: Map<string, string>
  sessions: Map<string, SessionRecord>
}

const EMPTY: Snapshot = {
  accounts: new Map(),
  byEmail: new Map(),
  services: new Map(),
  byToken: new Map(),
  sessions: new Map(),
}

const byCreation = (a: { created_at: number; id: string }, b: { created_at: number; id: string }) =>
  a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Each instance's copy of the team tables in Postgres (decision S4): model calls and admin checks read accounts,
 * service accounts and sessions from memory. A write goes to Postgres first, then this copy is read again, then the
 * other instances are told (NOTIFY on `switchyard_team`) and read theirs; a re-read every TEAM_REREAD_MS catches a
 * notice lost while a listening connection was down. Until the first read succeeds, reads throw
 * DatabaseUnavailableError (503) and sessions sign nobody in.
 */
export class PgTeamCache {
  private snap: Snapshot = EMPTY
  private loaded = false
  private running: Promise<void> | undefined
  private queued: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private unlisten: (() => void) | undefined
  /** Lookups in flight, by digest (or email). */
  private probing = new Map<string, Promise<boolean>>()
  /**
   * Digests a probe found in no table: session ids and tokens are random and never made again, so one that was not
   * there (a revoked cookie a browser keeps sending) is answered from memory after its first lookup.
   */
  private absent = new Set<string>()

  constructor(
    private readonly pg: Pick<PgLifecycle, 'pool' | 'migrated'>,
    private readonly notices: () => TeamNotices,
  ) {}

  /** Listens for the other instances' changes and starts the periodic re-read; the first read is awaited. */
  async start(): Promise<void> {
    this.unlisten = this.notices().listen(TEAM_CHANNEL, (origin) => {
      if (origin !== this.notices().origin) void this.refresh().catch(() => undefined)
    })
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), TEAM_REREAD_MS)
    this.timer.unref()
    await this.refresh().catch(() => undefined)
  }

  close(): void {
    this.unlisten?.()
    if (this.timer) clearInterval(this.timer)
  }

  pool(): PgPool {
    return readyPool(this.pg, WHAT)
  }

  /** Runs `fn` on the pool; Postgres unreachable (before or during it) is DatabaseUnavailableError (503). */
  use<T>(fn: (pool: PgPool) => Promise<T>): Promise<T> {
    return withPool(this.pg, WHAT, fn)
  }

  /** The copy, once read at least once. */
  get current(): Snapshot {
    if (!this.loaded) throw new DatabaseUnavailableError(WHAT)
    return this.snap
  }

  /** The copy for sign-in checks: empty (nobody signed in) until the first read. */
  get forChecks(): Snapshot {
    return this.snap
  }

  /**
   * Reads the tables again. A call made while a read runs waits for a read that starts after it, so a caller that
   * has just committed a write sees it.
   */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.read().finally(() => {
        this.running = undefined
      })
      return this.running
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined
        return this.refresh()
      })
    return this.queued
  }

  /** After a committed write: this instance's copy first, then every other instance's. */
  async changed(): Promise<void> {
    await this.refresh().catch(() => undefined)
    await this.notices()
      .notify(TEAM_CHANNEL, this.notices().origin)
      .catch(() => undefined)
  }

  /** Whether a probe found this digest in no table (then it is refused without another). */
  isAbsent(digest: string): boolean {
    return this.absent.has(digest)
  }

  /**
   * What `read` finds in the copy for a session or token digest (null: the copy does not hold it); else, when the
   * probe `exists` (`SELECT 1 … = $1`) finds the digest in Postgres, what `read` finds in the copy read again.
   */
  fromCopy<T>(
    digest: string,
    exists: string,
    read: () => T | undefined | null,
  ): T | undefined | Promise<T | undefined> {
    const found = read()
    if (found !== null) return found
    if (this.isAbsent(digest)) return undefined
    return this.probe(exists, digest).then((known) => (known ? (read() ?? undefined) : undefined))
  }

  /**
   * For a session or token digest (or an email) the copy does not hold: whether Postgres has it, and if so the copy
   * read again. Refused (false) past MAX_PROBES at once or while Postgres is unreachable: unknown credentials fail
   * closed. `remember`: a value found absent is refused from memory from then on (not for emails: one that has no
   * account now may have one later).
   */
  probe(sql: string, digest: string, remember = true): Promise<boolean> {
    // A page's parallel calls with one new cookie share one lookup (and one of the MAX_PROBES places).
    const running = this.probing.get(digest)
    if (running) return running
    if (this.probing.size >= MAX_PROBES || this.absent.has(digest)) return Promise.resolve(false)
    const lookup = this.lookUp(sql, digest, remember).finally(() => this.probing.delete(digest))
    this.probing.set(digest, lookup)
    return lookup
  }

  private async lookUp(sql: string, digest: string, remember: boolean): Promise<boolean> {
    try {
      const rows = await this.pool().query(sql, [digest])
      if (rows.length === 0) {
        if (!remember) return false
        if (this.absent.size >= MAX_ABSENT) this.absent.clear()
        this.absent.add(digest)
        return false
      }
      await this.refresh()
      return true
    } catch {
      return false
    }
  }

  /** A write of bookkeeping (last use) nobody waits for; lost while Postgres is away. */
  background(sql: string, values: unknown[]): void {
    const pool = this.pg.pool()
    if (pool && this.pg.migrated()) pool.query(sql, values).catch(() => undefined)
  }

  /** Drops sessions from the copy at once (a revoke committed; the re-read follows). */
  forgetSessions(match: (digest: string, s: SessionRecord) => boolean): void {
    for (const [digest, s] of this.snap.sessions) if (match(digest, s)) this.snap.sessions.delete(digest)
  }

  private async read(): Promise<void> {
    const pool = this.pool()
    // One snapshot of the three tables: a session is never seen without its account.
    const [accounts, services, sessions] = await pool.transaction(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const a = await c.query<Omit<AccountRow, 'last_seen_at'>>(
        'SELECT id, email, name, role, workspaces, source, password_hash, totp_secret, totp_pending, totp_last_counter, disabled, created_at FROM team_accounts',
      )
      const s = await c.query<ServiceRecordRow>(
        'SELECT id, name, role, workspaces, token_digest, created_at, last_used_at FROM team_service_accounts',
      )
      const t = await c.query<SessionRecord & { digest: string }>(
        'SELECT digest, account_id, created_at, expires_at, last_seen_at FROM team_sessions',
      )
      return [a.rows, s.rows, t.rows]
    })
    const next: Snapshot = {
      accounts: new Map(),
      byEmail: new Map(),
      services: new Map(),
      byToken: new Map(),
      sessions: new Map(),
    }
    for (const r of accounts.sort(byCreation)) {
      next.accounts.set(r.id, r)
      next.byEmail.set(r.email.toLowerCase(), r.id)
    }
    for (const r of services.sort(byCreation)) {
      const used = this.snap.services.get(r.id)?.last_used_at ?? null
      if (used !== null && (r.last_used_at === null || used > r.last_used_at)) r.last_used_at = used
      next.services.set(r.id, r)
      next.byToken.set(r.token_digest, r.id)
    }
    // A use noted here whose write has not landed yet is not taken back by a read that started before it.
    for (const { digest, ...r } of sessions) {
      const seen = this.snap.sessions.get(digest)?.last_seen_at ?? 0
      next.sessions.set(digest, { ...r, last_seen_at: Math.max(r.last_seen_at, seen) })
    }
    this.snap = next
    this.loaded = true
  }
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505'

/** Takes the owners lock and answers whether an enabled owner exists, inside the caller's transaction. */
async function lockOwners(c: PoolClient): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [TEAM_OWNERS_LOCK])
}
async function ownerExists(c: PoolClient): Promise<boolean> {
  const r = await c.query("SELECT 1 FROM team_accounts WHERE role = 'owner' AND disabled = 0 LIMIT 1")
  return r.rows.length > 0
}

/** Team mode's accounts, service accounts and setup tokens in Postgres, read from the instance's copy. */
export class PgTeamStore implements TeamStore {
  constructor(
    private readonly cache: PgTeamCache,
    private readonly totp: TotpCipher,
    private readonly clock: () => number = Date.now,
    /** The instance's secret-store TOTP cipher: what sealed accounts `switchyard migrate` copied from its data folder. */
    private readonly legacy?: TotpCipher,
  ) {}

  private account(row: Omit<AccountRow, 'last_seen_at'>, sessions: Snapshot['sessions']): Account {
    let lastSeen: number | null = null
    for (const s of sessions.values()) {
      if (s.account_id === row.id && (lastSeen === null || s.last_seen_at > lastSeen)) lastSeen = s.last_seen_at
    }
    return toAccount({ ...row, last_seen_at: lastSeen }, this.totp)
  }

  /** Runs a write and, once it committed, refreshes every instance's copy. */
  private async write<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const out = await this.cache.use((pool) => pool.transaction(fn))
    await this.cache.changed()
    return out
  }

  async createAccount(input: Parameters<TeamStore['createAccount']>[0], opts: { firstOwner?: boolean } = {}) {
    const now = this.clock()
    const id = newId('acc')
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password)
    try {
      await this.write(async (c) => {
        if (opts.firstOwner) {
          await lockOwners(c)
          if (await ownerExists(c)) throw new OwnerExistsError()
        }
        const insert = accountInsert(
          id,
          input,
          { source: input.source, password_hash: passwordHash },
          now,
          (i) => `$${i}`,
        )
        await c.query(insert.sql, insert.values)
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError(input.email)
      throw err
    }
    return this.mustGet(id)
  }

  /** An account this instance has just written (its copy was read again after the commit). */
  private mustGet(id: string): Account {
    const a = this.getAccount(id)
    if (!a) throw new DatabaseUnavailableError(WHAT)
    return a
  }

  getAccount(id: string): Account | undefined {
    const snap = this.cache.current
    const row = snap.accounts.get(id)
    return row && this.account(row, snap.sessions)
  }

  findByEmail(email: string): Account | undefined {
    const snap = this.cache.current
    const id = snap.byEmail.get(email.toLowerCase())
    const row = id === undefined ? undefined : snap.accounts.get(id)
    return row && this.account(row, snap.sessions)
  }

  lookUpEmail(email: string): Account | undefined | Promise<Account | undefined> {
    const found = this.findByEmail(email)
    if (found) return found
    return this.cache
      .probe('SELECT 1 FROM team_accounts WHERE lower(email) = lower($1)', email, false)
      .then((known) => (known ? this.findByEmail(email) : undefined))
  }

  listAccounts(): Account[] {
    const snap = this.cache.current
    return [...snap.accounts.values()].map((r) => this.account(r, snap.sessions))
  }

  async updateAccount(
    id: string,
    patch: Parameters<TeamStore['updateAccount']>[1],
    opts: { keepAnOwner?: boolean } = {},
  ) {
    const given = Object.entries(accountColumns(patch, this.clock())).filter(([, v]) => v !== undefined)
    await this.write(async (c) => {
      if (opts.keepAnOwner) await lockOwners(c)
      await setColumns(c, id, given)
      if (opts.keepAnOwner && !(await ownerExists(c))) throw new LastOwnerError()
    })
    return this.getAccount(id)
  }

  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password)
    await this.write((c) =>
      c.query('UPDATE team_accounts SET password_hash = $1, updated_at = $2 WHERE id = $3', [
        passwordHash,
        this.clock(),
        id,
      ]),
    )
  }

  async setTotp(id: string, state: Parameters<TeamStore['setTotp']>[1]): Promise<void> {
    const given = Object.entries(totpColumns(state, this.totp)).filter(([, v]) => v !== undefined)
    if (given.length === 0) return
    await this.write((c) => setColumns(c, id, given))
  }

  /**
   * Seals plain TOTP values, and seals again under this store's key those only `legacy` opens (accounts a data
   * folder's secret-store key sealed, copied here by `switchyard migrate`), so every instance opens them.
   */
  async sealPlainTotp(): Promise<number> {
    const rows = await this.cache.use((pool) =>
      pool.query<PlainTotpRow>(
        'SELECT id, totp_secret, totp_pending FROM team_accounts WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL',
      ),
    )
    const changed = rows
      .map((r) => ({
        r,
        secret: resealedTotp(r.totp_secret, this.totp, this.legacy),
        pending: resealedTotp(r.totp_pending, this.totp, this.legacy),
      }))
      .filter(({ r, secret, pending }) => secret !== r.totp_secret || pending !== r.totp_pending)
    if (changed.length === 0) return 0
    await this.write(async (c) => {
      for (const { r, secret, pending } of changed) {
        await c.query('UPDATE team_accounts SET totp_secret = $1, totp_pending = $2 WHERE id = $3', [
          secret,
          pending,
          r.id,
        ])
      }
    })
    return changed.length
  }

  async removeAccount(id: string, opts: { keepAnOwner?: boolean } = {}): Promise<boolean> {
    return this.write(async (c) => {
      if (opts.keepAnOwner) await lockOwners(c)
      const gone = ((await c.query('DELETE FROM team_accounts WHERE id = $1', [id])).rowCount ?? 0) > 0
      if (opts.keepAnOwner && !(await ownerExists(c))) throw new LastOwnerError()
      return gone
    })
  }

  async ssoAccount(input: Parameters<TeamStore['ssoAccount']>[0]): Promise<Account> {
    const now = this.clock()
    const workspaces = JSON.stringify(input.workspaces)
    const upsert = (c: PoolClient) =>
      c.query<{ id: string }>(
        `INSERT INTO team_accounts (id, email, name, role, workspaces, source, sso_issuer, sso_subject, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'sso', $6, $7, $8, $8)
         ON CONFLICT (sso_issuer, sso_subject) WHERE sso_issuer IS NOT NULL
         DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role,
           workspaces = excluded.workspaces, updated_at = excluded.updated_at
         RETURNING id`,
        [newId('acc'), input.email, input.name, input.role, workspaces, input.issuer, input.subject, now],
      )
    let id: string
    try {
      id = await this.write(async (c) => (await upsert(c)).rows[0].id)
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
      // Two first sign-ins of one person on two instances at once: the second can trip over the first's email
      // before its ON CONFLICT sees the first's row. Once more, it takes the update path. A local account with
      // this address fails again: single sign-on does not take it over.
      try {
        id = await this.write(async (c) => (await upsert(c)).rows[0].id)
      } catch (again) {
        if (isUniqueViolation(again)) throw new EmailTakenError(input.email)
        throw again
      }
    }
    return this.mustGet(id)
  }

  async forgetWorkspaces(known: ReadonlySet<string>): Promise<number> {
    // Run by every instance on every config change: the others are told only when a list changed.
    const changed = await this.cache.use((pool) =>
      pool.transaction(async (c) => {
        let changed = 0
        for (const table of TEAM_LIST_TABLES) {
          // FOR UPDATE: two instances applying one config change rewrite each list in turn, not from one stale read.
          const rows = (await c.query<WorkspaceListRow>(`SELECT id, workspaces FROM ${table} FOR UPDATE`)).rows
          for (const r of rows) {
            const kept = keptWorkspaces(r.workspaces, known)
            if (kept === undefined) continue
            await c.query(`UPDATE ${table} SET workspaces = $1 WHERE id = $2`, [kept, r.id])
            changed++
          }
        }
        return changed
      }),
    )
    if (changed > 0) await this.cache.changed()
    return changed
  }

  hasOwner(): boolean {
    for (const a of this.cache.current.accounts.values()) if (a.role === 'owner' && a.disabled === 0) return true
    return false
  }

  async createServiceAccount(input: Parameters<TeamStore['createServiceAccount']>[0]) {
    const id = newId('svc')
    const token = newServiceToken()
    await this.write((c) =>
      c.query(
        'INSERT INTO team_service_accounts (id, name, role, workspaces, token_digest, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, input.name, input.role, JSON.stringify(input.workspaces), digestOf(token), this.clock()],
      ),
    )
    const account = this.getServiceAccount(id)
    if (!account) throw new DatabaseUnavailableError('service accounts')
    return { account, token }
  }

  getServiceAccount(id: string): ServiceAccountRecord | undefined {
    const row = this.cache.current.services.get(id)
    return row && toService(row)
  }

  listServiceAccounts(): ServiceAccountRecord[] {
    return [...this.cache.current.services.values()].map(toService)
  }

  async removeServiceAccount(id: string): Promise<boolean> {
    return this.write(
      async (c) => ((await c.query('DELETE FROM team_service_accounts WHERE id = $1', [id])).rowCount ?? 0) > 0,
    )
  }

  /** From memory (S4); a token made on another instance a moment ago is looked up once (PgTeamCache.probe). */
  serviceByToken(token: string): ServiceAccountRecord | undefined | Promise<ServiceAccountRecord | undefined> {
    if (!maybeServiceToken(token)) return undefined
    const digest = digestOf(token)
    return this.cache.fromCopy(digest, 'SELECT 1 FROM team_service_accounts WHERE token_digest = $1', () =>
      this.serviceOf(digest),
    )
  }

  /** The service account of a token digest in the copy; null when the copy does not hold it. */
  private serviceOf(digest: string): ServiceAccountRecord | undefined | null {
    const snap = this.cache.forChecks
    const id = snap.byToken.get(digest)
    const row = id === undefined ? undefined : snap.services.get(id)
    if (!row) return null
    const now = this.clock()
    if (usedLongAgo(row.last_used_at, now)) {
      row.last_used_at = now
      // Bookkeeping for the members page, never awaited by the call.
      this.cache.background('UPDATE team_service_accounts SET last_used_at = $1 WHERE id = $2', [now, row.id])
    }
    return toService(row)
  }

  /**
   * Unlike SQLite's, earlier tokens stay valid until they expire or an owner exists: each instance prints its own
   * link at start, and a second instance starting must not void the link the first one printed.
   */
  async createSetupToken(): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    const now = this.clock()
    await this.cache.use((pool) =>
      pool.transaction(async (c) => {
        await c.query('DELETE FROM team_setup_tokens WHERE expires_at < $1', [now])
        await c.query('INSERT INTO team_setup_tokens (digest, expires_at) VALUES ($1, $2)', [
          digestOf(token),
          now + SETUP_TTL_MS,
        ])
      }),
    )
    return token
  }

  async redeemSetupToken(token: string): Promise<boolean> {
    if (token.length > MAX_SETUP_TOKEN_LENGTH) return false
    const rows = await this.cache.use((pool) =>
      pool.query<{ expires_at: number }>('DELETE FROM team_setup_tokens WHERE digest = $1 RETURNING expires_at', [
        digestOf(token),
      ]),
    )
    return rows.length > 0 && rows[0].expires_at >= this.clock()
  }
}

/** Sets an account's columns (names from team-store.ts's column maps, never input). */
async function setColumns(c: PoolClient, id: string, given: [string, unknown][]): Promise<void> {
  if (given.length === 0) return
  await c.query(
    `UPDATE team_accounts SET ${given.map(([k], i) => `${k} = $${i + 1}`).join(', ')} WHERE id = $${given.length + 1}`,
    [...given.map(([, v]) => v), id],
  )
}

/** Team mode's web sessions in Postgres: opened and revoked there, checked against the instance's copy. */
export class PgTeamSessions implements TeamSessions {
  constructor(
    private readonly cache: PgTeamCache,
    private readonly sessionHours: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  async open(accountId: string, via: SessionVia): Promise<{ id: string; expiresAt: number }> {
    const now = this.clock()
    const { id, expiresAt } = newSession(now, this.sessionHours())
    await this.cache.use((pool) =>
      pool.transaction(async (c) => {
        // Ended sessions are swept here, on sign-in, so the table (and each copy) holds live sessions and a few stale ones.
        await c.query('DELETE FROM team_sessions WHERE expires_at < $1 OR last_seen_at < $2', [now, now - IDLE_MS])
        await c.query(
          'INSERT INTO team_sessions (digest, account_id, via, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [digestOf(id), accountId, via, now, expiresAt, now],
        )
      }),
    )
    await this.cache.changed()
    return { id, expiresAt }
  }

  principalOf(id: string): Principal | undefined | Promise<Principal | undefined> {
    if (!plausibleSessionId(id)) return undefined
    const digest = digestOf(id)
    return this.cache.fromCopy(digest, 'SELECT 1 FROM team_sessions WHERE digest = $1', () => this.judge(digest))
  }

  /** The principal of a session digest in the copy; null when the copy does not hold it. */
  private judge(digest: string): Principal | undefined | null {
    const snap = this.cache.forChecks
    const s = snap.sessions.get(digest)
    if (!s) return null
    const a = snap.accounts.get(s.account_id)
    if (!a) return undefined
    // The session's times over the account's (both have created_at).
    const row: SessionRow = { ...a, ...s }
    const now = this.clock()
    const judged = judgeSession(row, now, this.sessionHours())
    if (judged?.touch) {
      s.last_seen_at = now
      // Bookkeeping (idle expiry, "last seen"), never awaited by the request; other copies take it at their re-read.
      this.cache.background('UPDATE team_sessions SET last_seen_at = $1 WHERE digest = $2', [now, digest])
    }
    return judged?.principal
  }

  async revoke(id: string): Promise<void> {
    if (!plausibleSessionId(id)) return
    const digest = digestOf(id)
    await this.cache.use((pool) => pool.query('DELETE FROM team_sessions WHERE digest = $1', [digest]))
    this.cache.forgetSessions((d) => d === digest)
    await this.cache.changed()
  }

  async revokeAccount(accountId: string, except?: string): Promise<void> {
    const kept = except === undefined ? '' : digestOf(except)
    await this.cache.use((pool) =>
      pool.query('DELETE FROM team_sessions WHERE account_id = $1 AND digest != $2', [accountId, kept]),
    )
    this.cache.forgetSessions((d, s) => s.account_id === accountId && d !== kept)
    await this.cache.changed()
  }
}
