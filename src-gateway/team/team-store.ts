import { createHash, randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'
import type { Member, Role, ServiceAccount } from '../../src-shared/contract/team.js'
import { isSealedBody } from '../store/body-cipher.js'
import type { Db } from '../store/db.js'
import type { TotpCipher } from './totp-cipher.js'

/** A person's account, as the gateway holds it (the members API shows `memberView` of it). */
export interface Account {
  id: string
  email: string
  name: string
  role: Role
  workspaces: string[]
  source: 'local' | 'sso'
  passwordHash: string | null
  totpSecret: string | null
  totpPending: string | null
  totpLastCounter: number | null
  disabled: boolean
  createdAt: number
  /** The latest use of one of its sessions, or null. */
  lastSeenAt: number | null
}

export interface NewAccount {
  email: string
  name: string
  role: Role
  workspaces: string[]
  password?: string
  source: 'local' | 'sso'
}

export type AccountPatch = Partial<Pick<Account, 'name' | 'role' | 'workspaces' | 'disabled'>>

export interface ServiceAccountRecord {
  id: string
  name: string
  role: Exclude<Role, 'owner'>
  workspaces: string[]
  createdAt: number
  lastUsedAt: number | null
}

/** A team_accounts row with its sessions' latest use: the same columns in SQLite and Postgres (one mapper, toAccount). */
export interface AccountRow {
  id: string
  email: string
  name: string
  role: Role
  workspaces: string
  source: 'local' | 'sso'
  password_hash: string | null
  totp_secret: string | null
  totp_pending: string | null
  totp_last_counter: number | null
  disabled: number
  created_at: number
  last_seen_at: number | null
}

/** A team_service_accounts row without its token digest (the same columns in SQLite and Postgres). */
export interface ServiceRow {
  id: string
  name: string
  role: ServiceAccountRecord['role']
  workspaces: string
  created_at: number
  last_used_at: number | null
}

/** Hex SHA-256 of a session id or token: what the database keeps instead of the secret itself. */
export const digestOf = (secret: string) => createHash('sha256').update(secret).digest('hex')

/** An account with its sessions' latest use. */
const ACCOUNTS = `SELECT a.*, (SELECT MAX(s.last_seen_at) FROM team_sessions s WHERE s.account_id = a.id) AS last_seen_at
  FROM team_accounts a`

export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`

/** Argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's minimum), ~30 ms here. */
export const hashPassword = (password: string) => hash(password)

/**
 * A hash of a password nobody has, verified when the email is unknown, so an unknown address costs the same
 * Argon2id work as a wrong password and the two cannot be told apart by timing.
 */
let dummyHash: Promise<string> | undefined
const dummy = () => {
  dummyHash ??= hash(randomBytes(32).toString('base64url'))
  return dummyHash
}

/** Whether `password` matches `stored`; with no stored hash, a dummy one is verified and false answered. */
export async function passwordMatches(stored: string | null | undefined, password: string): Promise<boolean> {
  const ok = await verify(stored ?? (await dummy()), password).catch(() => false)
  return ok && stored != null
}

/**
 * A stored TOTP secret, opened. One that does not open (the secret store lost its key) stays "on" but matches no
 * code: the account fails closed rather than signing in without its second factor, and the members list still works.
 */
const opened = (stored: string | null, totp: TotpCipher): string | null => {
  if (stored === null) return null
  try {
    return totp.open(stored)
  } catch {
    return ''
  }
}

export const toAccount = (r: AccountRow, totp: TotpCipher): Account => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  workspaces: JSON.parse(r.workspaces),
  source: r.source,
  passwordHash: r.password_hash,
  totpSecret: opened(r.totp_secret, totp),
  totpPending: opened(r.totp_pending, totp),
  totpLastCounter: r.totp_last_counter,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
})

export const toService = (r: ServiceRow): ServiceAccountRecord => ({
  id: r.id,
  name: r.name,
  role: r.role,
  workspaces: JSON.parse(r.workspaces),
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
})

/** The members API's view of an account: no hash, no TOTP secret. */
export const memberView = (a: Account): Member => ({
  id: a.id,
  email: a.email,
  name: a.name,
  role: a.role,
  workspaces: a.workspaces,
  source: a.source,
  disabled: a.disabled,
  totp: a.totpSecret !== null,
  createdAt: new Date(a.createdAt).toISOString(),
  lastSeenAt: a.lastSeenAt === null ? null : new Date(a.lastSeenAt).toISOString(),
})

export const serviceView = (s: ServiceAccountRecord): ServiceAccount => ({
  id: s.id,
  name: s.name,
  role: s.role,
  workspaces: s.workspaces,
  createdAt: new Date(s.createdAt).toISOString(),
  lastUsedAt: s.lastUsedAt === null ? null : new Date(s.lastUsedAt).toISOString(),
})

/** Prefix of service account tokens, so they are told from client keys and admin tokens at a glance (and by scanners). */
export const SERVICE_TOKEN_PREFIX = 'sy_svc_'
/** The setup link works for a day: long enough to open it after reading the terminal, short enough to go stale. */
export const SETUP_TTL_MS = 24 * 60 * 60 * 1000

/**
 * Team mode's accounts, service accounts and setup tokens (S1: one interface, SQLite and Postgres behind it). Reads
 * answer at once: SQLite's from the instance's file, Postgres's from the copy each instance keeps in memory (the
 * hot path never waits on the database); writes return promises. Guards that several instances must agree on are
 * the store's, not the caller's: the last enabled owner (keepAnOwner) and the first one (firstOwner).
 */
export interface TeamStore {
  /** Throws EmailTakenError for an address another account has; with `firstOwner`, OwnerExistsError once one exists. */
  createAccount(input: NewAccount, opts?: { firstOwner?: boolean }): Promise<Account>
  getAccount(id: string): Account | undefined
  findByEmail(email: string): Account | undefined
  /**
   * findByEmail for a sign-in: Postgres answers a promise when its copy lacks the address, having asked the database
   * (an account made on another instance a moment ago signs in at once).
   */
  lookUpEmail(email: string): Account | undefined | Promise<Account | undefined>
  listAccounts(): Account[]
  /** With `keepAnOwner`, a change that leaves no enabled owner throws LastOwnerError and changes nothing. */
  updateAccount(id: string, patch: AccountPatch, opts?: { keepAnOwner?: boolean }): Promise<Account | undefined>
  setPassword(id: string, password: string): Promise<void>
  /** TOTP state: `pending` is a secret offered for enrolment, `secret` the confirmed one; both kept sealed. */
  setTotp(id: string, state: TotpState): Promise<void>
  /** Seals TOTP secrets kept in plain text by a version before sealing existed; answers how many it sealed. */
  sealPlainTotp(): Promise<number>
  /** Removes the account and its sessions; `keepAnOwner` as for updateAccount. */
  removeAccount(id: string, opts?: { keepAnOwner?: boolean }): Promise<boolean>
  /**
   * The account a single sign-on login stands for: made on its first login (just in time), and given the role and
   * workspaces the provider's claims map to on every login, so a change at the provider reaches the gateway.
   */
  ssoAccount(input: SsoLogin): Promise<Account>
  /** Takes workspaces the config no longer has out of every account's and service account's list. */
  forgetWorkspaces(known: ReadonlySet<string>): Promise<number>
  hasOwner(): boolean
  /** A new service account and its token, which only the caller ever sees: the database keeps its digest. */
  createServiceAccount(input: NewServiceAccount): Promise<{ account: ServiceAccountRecord; token: string }>
  getServiceAccount(id: string): ServiceAccountRecord | undefined
  listServiceAccounts(): ServiceAccountRecord[]
  removeServiceAccount(id: string): Promise<boolean>
  /**
   * The service account a bearer token belongs to, looked up by the token's SHA-256 digest (no stored secret is
   * compared byte by byte). Postgres answers a promise only for a token its copy does not hold yet.
   */
  serviceByToken(token: string): ServiceAccountRecord | undefined | Promise<ServiceAccountRecord | undefined>
  /** A new one-time setup token (the link `switchyard serve` prints). */
  createSetupToken(): Promise<string>
  /** Spends a setup token: true once, for a live one, whichever instance is asked. */
  redeemSetupToken(token: string): Promise<boolean>
}

export type TotpState = { secret?: string | null; pending?: string | null; lastCounter?: number | null }
export type SsoLogin = {
  issuer: string
  subject: string
  email: string
  name: string
  role: Role
  workspaces: string[]
}
export type NewServiceAccount = { name: string; role: ServiceAccountRecord['role']; workspaces: string[] }

/** A service account token's shape: anything else is not looked up at all. */
export const maybeServiceToken = (token: string) => token.startsWith(SERVICE_TOKEN_PREFIX) && token.length <= 100
/**
 * A new account's INSERT for either backend (decision S2: one row shape): `mark(i)` is the i-th placeholder in the
 * backend's syntax (1-based), `how` the columns saying how the account signs in.
 */
export function accountInsert(
  id: string,
  input: Pick<NewAccount, 'email' | 'name' | 'role' | 'workspaces'>,
  how: { source: string; password_hash: string | null } | { source: string; sso_issuer: string; sso_subject: string },
  now: number,
  mark: (i: number) => string,
): { sql: string; values: (string | number | null)[] } {
  const row = {
    id,
    email: input.email,
    name: input.name,
    role: input.role,
    workspaces: JSON.stringify(input.workspaces),
    ...how,
    created_at: now,
    updated_at: now,
  }
  const columns = Object.keys(row)
  return {
    sql: `INSERT INTO team_accounts (${columns.join(', ')}) VALUES (${columns.map((_, i) => mark(i + 1)).join(', ')})`,
    values: Object.values(row),
  }
}

/** A setup token longer than this is not one of ours and is not hashed. */
export const MAX_SETUP_TOKEN_LENGTH = 200

/** Team mode's accounts, service accounts and setup tokens in the instance's SQLite (migration "team mode"). */
export class SqliteTeamStore implements TeamStore {
  constructor(
    readonly db: Db,
    private readonly totp: TotpCipher,
    private readonly clock: () => number = Date.now,
  ) {}

  async createAccount(input: NewAccount, opts: { firstOwner?: boolean } = {}): Promise<Account> {
    const now = this.clock()
    const id = newId('acc')
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password)
    try {
      this.db.transaction(() => {
        if (opts.firstOwner && this.hasOwner()) throw new OwnerExistsError()
        const insert = accountInsert(id, input, { source: input.source, password_hash: passwordHash }, now, () => '?')
        this.db.prepare(insert.sql).run(...insert.values)
      })()
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new EmailTakenError(input.email)
      throw err
    }
    return this.getAccount(id) as Account
  }

  getAccount(id: string): Account | undefined {
    const row = this.db.prepare(`${ACCOUNTS} WHERE a.id = ?`).get(id) as AccountRow | undefined
    return row && toAccount(row, this.totp)
  }

  findByEmail(email: string): Account | undefined {
    const row = this.db.prepare(`${ACCOUNTS} WHERE a.email = ?`).get(email) as AccountRow | undefined
    return row && toAccount(row, this.totp)
  }

  lookUpEmail(email: string): Account | undefined {
    return this.findByEmail(email)
  }

  listAccounts(): Account[] {
    return (this.db.prepare(`${ACCOUNTS} ORDER BY a.created_at, a.id`).all() as AccountRow[]).map((r) =>
      toAccount(r, this.totp),
    )
  }

  async updateAccount(id: string, patch: AccountPatch, opts: { keepAnOwner?: boolean } = {}) {
    this.db.transaction(() => {
      this.setColumns(id, accountColumns(patch, this.clock()))
      if (opts.keepAnOwner && !this.hasOwner()) throw new LastOwnerError()
    })()
    return this.getAccount(id)
  }

  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password)
    this.db
      .prepare('UPDATE team_accounts SET password_hash = ?, updated_at = ? WHERE id = ?')
      .run(passwordHash, this.clock(), id)
  }

  async setTotp(id: string, state: TotpState): Promise<void> {
    this.setColumns(id, totpColumns(state, this.totp))
  }

  /**
   * `secure_delete` zeroes the old values' bytes in the pages SQLite rewrites, and the checkpoint moves those pages
   * into the database file and empties the WAL, so no copy of the plain secret is left in either file.
   */
  async sealPlainTotp(): Promise<number> {
    const rows = (
      this.db.prepare('SELECT id, totp_secret, totp_pending FROM team_accounts').all() as PlainTotpRow[]
    ).filter(hasPlainTotp)
    if (rows.length === 0) return 0
    const update = this.db.prepare('UPDATE team_accounts SET totp_secret = ?, totp_pending = ? WHERE id = ?')
    this.db.pragma('secure_delete = ON')
    try {
      this.db.transaction(() => {
        for (const r of rows)
          update.run(sealPlain(r.totp_secret, this.totp), sealPlain(r.totp_pending, this.totp), r.id)
      })()
      if (this.db.name !== ':memory:') this.db.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      this.db.pragma('secure_delete = OFF')
    }
    return rows.length
  }

  /** Sets the given columns of an account (undefined ones are left alone; the names are this file's, never input). */
  private setColumns(id: string, columns: Record<string, string | number | null | undefined>): void {
    const given = Object.entries(columns).filter(([, v]) => v !== undefined)
    if (given.length === 0) return
    this.db
      .prepare(`UPDATE team_accounts SET ${given.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`)
      .run(...given.map(([, v]) => v), id)
  }

  async removeAccount(id: string, opts: { keepAnOwner?: boolean } = {}): Promise<boolean> {
    return this.db.transaction(() => {
      const gone = this.db.prepare('DELETE FROM team_accounts WHERE id = ?').run(id).changes > 0
      if (opts.keepAnOwner && !this.hasOwner()) throw new LastOwnerError()
      return gone
    })()
  }

  async ssoAccount(input: SsoLogin): Promise<Account> {
    const now = this.clock()
    const row = this.db
      .prepare('SELECT id FROM team_accounts WHERE sso_issuer = ? AND sso_subject = ?')
      .get(input.issuer, input.subject) as { id: string } | undefined
    try {
      if (row) {
        this.db
          .prepare(
            'UPDATE team_accounts SET email = ?, name = ?, role = ?, workspaces = ?, updated_at = ? WHERE id = ?',
          )
          .run(input.email, input.name, input.role, JSON.stringify(input.workspaces), now, row.id)
        return this.getAccount(row.id) as Account
      }
      const id = newId('acc')
      const sso = { source: 'sso', sso_issuer: input.issuer, sso_subject: input.subject }
      const insert = accountInsert(id, input, sso, now, () => '?')
      this.db.prepare(insert.sql).run(...insert.values)
      return this.getAccount(id) as Account
    } catch (err) {
      // A local account with this address exists: single sign-on does not take it over.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new EmailTakenError(input.email)
      throw err
    }
  }

  async forgetWorkspaces(known: ReadonlySet<string>): Promise<number> {
    let changed = 0
    this.db.transaction(() => {
      for (const table of TEAM_LIST_TABLES) {
        const rows = this.db.prepare(`SELECT id, workspaces FROM ${table}`).all() as WorkspaceListRow[]
        for (const r of rows) {
          const kept = keptWorkspaces(r.workspaces, known)
          if (kept === undefined) continue
          this.db.prepare(`UPDATE ${table} SET workspaces = ? WHERE id = ?`).run(kept, r.id)
          changed++
        }
      }
    })()
    return changed
  }

  hasOwner(): boolean {
    return (
      this.db.prepare("SELECT 1 FROM team_accounts WHERE role = 'owner' AND disabled = 0 LIMIT 1").get() !== undefined
    )
  }

  // Service accounts

  async createServiceAccount(input: NewServiceAccount) {
    const id = newId('svc')
    const token = newServiceToken()
    this.db
      .prepare(
        'INSERT INTO team_service_accounts (id, name, role, workspaces, token_digest, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.name, input.role, JSON.stringify(input.workspaces), digestOf(token), this.clock())
    return { account: this.getServiceAccount(id) as ServiceAccountRecord, token }
  }

  getServiceAccount(id: string): ServiceAccountRecord | undefined {
    const row = this.db.prepare(`${SERVICES} WHERE id = ?`).get(id) as ServiceRow | undefined
    return row && toService(row)
  }

  listServiceAccounts(): ServiceAccountRecord[] {
    return (this.db.prepare(`${SERVICES} ORDER BY created_at, id`).all() as ServiceRow[]).map(toService)
  }

  async removeServiceAccount(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM team_service_accounts WHERE id = ?').run(id).changes > 0
  }

  serviceByToken(token: string): ServiceAccountRecord | undefined {
    if (!maybeServiceToken(token)) return undefined
    const row = this.db.prepare(`${SERVICES} WHERE token_digest = ?`).get(digestOf(token)) as ServiceRow | undefined
    if (!row) return undefined
    const now = this.clock()
    if (usedLongAgo(row.last_used_at, now)) {
      this.db.prepare('UPDATE team_service_accounts SET last_used_at = ? WHERE id = ?').run(now, row.id)
    }
    return toService(row)
  }

  // Setup tokens

  /** Earlier tokens stop working: one instance prints one live link. */
  async createSetupToken(): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM team_setup_tokens').run()
      this.db
        .prepare('INSERT INTO team_setup_tokens (digest, expires_at) VALUES (?, ?)')
        .run(digestOf(token), this.clock() + SETUP_TTL_MS)
    })()
    return token
  }

  async redeemSetupToken(token: string): Promise<boolean> {
    if (token.length > MAX_SETUP_TOKEN_LENGTH) return false
    const row = this.db
      .prepare('DELETE FROM team_setup_tokens WHERE digest = ? RETURNING expires_at')
      .get(digestOf(token)) as { expires_at: number } | undefined
    return row !== undefined && row.expires_at >= this.clock()
  }
}

/** The service accounts' columns the API shows (never the token digest). */
const SERVICES = 'SELECT id, name, role, workspaces, created_at, last_used_at FROM team_service_accounts'
/** The tables whose rows carry a JSON `workspaces` list (forgetWorkspaces). */
export const TEAM_LIST_TABLES = ['team_accounts', 'team_service_accounts'] as const
export interface WorkspaceListRow {
  id: string
  workspaces: string
}

/** The list without workspaces the config no longer has, as JSON, or undefined when nothing changes. */
export function keptWorkspaces(json: string, known: ReadonlySet<string>): string | undefined {
  const list = JSON.parse(json) as string[]
  const kept = list.filter((w) => known.has(w))
  return kept.length === list.length ? undefined : JSON.stringify(kept)
}

/** The columns an account patch sets (undefined: left alone). */
export const accountColumns = (patch: AccountPatch, now: number) => ({
  name: patch.name,
  role: patch.role,
  workspaces: patch.workspaces && JSON.stringify(patch.workspaces),
  disabled: patch.disabled === undefined ? undefined : patch.disabled ? 1 : 0,
  updated_at: now,
})

/** The columns a TOTP change sets, its secrets sealed. */
export const totpColumns = (state: TotpState, totp: TotpCipher) => {
  const sealed = (v: string | null | undefined) => (v ? totp.seal(v) : v)
  return {
    totp_secret: sealed(state.secret),
    totp_pending: sealed(state.pending),
    totp_last_counter: state.lastCounter,
  }
}

export type PlainTotpRow = Pick<AccountRow, 'id' | 'totp_secret' | 'totp_pending'>
const plain = (v: string | null) => v !== null && !isSealedBody(v)
export const hasPlainTotp = (r: PlainTotpRow) => plain(r.totp_secret) || plain(r.totp_pending)
export const sealPlain = (v: string | null, totp: TotpCipher) => (v !== null && plain(v) ? totp.seal(v) : v)

/**
 * A TOTP value as `to` should keep it: plain ones sealed, and sealed ones that `to` cannot open but `from` can (a
 * data folder's secret-store key, before `switchyard migrate` moved its accounts to Postgres) sealed again under
 * `to`. Anything else is kept as it is (one nobody can open stays "on" and matches no code: fails closed).
 */
export function resealedTotp(v: string | null, to: TotpCipher, from: TotpCipher | undefined): string | null {
  if (v === null) return v
  if (plain(v)) return to.seal(v)
  try {
    to.open(v)
    return v
  } catch {
    if (!from) return v
    try {
      return to.seal(from.open(v))
    } catch {
      return v
    }
  }
}

export const newServiceToken = () => `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
/** `last_used_at` is written at most once a minute: a CI job's burst of calls is not a burst of writes. */
export const usedLongAgo = (lastUsedAt: number | null, now: number) => lastUsedAt === null || now - lastUsedAt > 60_000

/** The change would leave the team without an enabled owner. */
export class LastOwnerError extends Error {
  constructor() {
    super('the last owner stays: make another member owner first')
  }
}

/** The first owner exists already (setup link, team enable): whichever instance made them. */
export class OwnerExistsError extends Error {
  constructor() {
    super('the team has an owner')
  }
}

/** Another account already has this email address. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`an account with the email ${email} exists`)
  }
}
