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

interface AccountRow {
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

interface ServiceRow {
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

const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`

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

const toAccount = (r: AccountRow, totp: TotpCipher): Account => ({
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

const toService = (r: ServiceRow): ServiceAccountRecord => ({
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
const SETUP_TTL_MS = 24 * 60 * 60 * 1000

/** Team mode's accounts, service accounts and setup tokens, in the gateway's database (migration "team mode"). */
export class TeamStore {
  constructor(
    readonly db: Db,
    private readonly totp: TotpCipher,
    private readonly clock: () => number = Date.now,
  ) {}

  async createAccount(input: NewAccount): Promise<Account> {
    const now = this.clock()
    const id = newId('acc')
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password)
    try {
      this.db
        .prepare(
          `INSERT INTO team_accounts (id, email, name, role, workspaces, source, password_hash, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.email,
          input.name,
          input.role,
          JSON.stringify(input.workspaces),
          input.source,
          passwordHash,
          now,
          now,
        )
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

  listAccounts(): Account[] {
    return (this.db.prepare(`${ACCOUNTS} ORDER BY a.created_at, a.id`).all() as AccountRow[]).map((r) =>
      toAccount(r, this.totp),
    )
  }

  updateAccount(id: string, patch: AccountPatch): Account | undefined {
    this.setColumns(id, {
      name: patch.name,
      role: patch.role,
      workspaces: patch.workspaces && JSON.stringify(patch.workspaces),
      disabled: patch.disabled === undefined ? undefined : patch.disabled ? 1 : 0,
      updated_at: this.clock(),
    })
    return this.getAccount(id)
  }

  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password)
    this.db
      .prepare('UPDATE team_accounts SET password_hash = ?, updated_at = ? WHERE id = ?')
      .run(passwordHash, this.clock(), id)
  }

  /** TOTP state: `pending` is a secret offered for enrolment, `secret` the confirmed one; both kept sealed. */
  setTotp(id: string, state: { secret?: string | null; pending?: string | null; lastCounter?: number | null }): void {
    const sealed = (v: string | null | undefined) => (v ? this.totp.seal(v) : v)
    this.setColumns(id, {
      totp_secret: sealed(state.secret),
      totp_pending: sealed(state.pending),
      totp_last_counter: state.lastCounter,
    })
  }

  /**
   * Seals TOTP secrets stored in plain text by a version before sealing existed. `secure_delete` zeroes the old
   * values' bytes in the pages SQLite rewrites, and the checkpoint moves those pages into the database file and
   * empties the WAL, so no copy of the plain secret is left in either file. Answers how many values it sealed.
   */
  sealPlainTotp(): number {
    const plain = (v: string | null) => v !== null && !isSealedBody(v)
    const rows = (
      this.db.prepare('SELECT id, totp_secret, totp_pending FROM team_accounts').all() as Pick<
        AccountRow,
        'id' | 'totp_secret' | 'totp_pending'
      >[]
    ).filter((r) => plain(r.totp_secret) || plain(r.totp_pending))
    if (rows.length === 0) return 0
    const seal = (v: string | null) => (v !== null && plain(v) ? this.totp.seal(v) : v)
    const update = this.db.prepare('UPDATE team_accounts SET totp_secret = ?, totp_pending = ? WHERE id = ?')
    this.db.pragma('secure_delete = ON')
    try {
      this.db.transaction(() => {
        for (const r of rows) update.run(seal(r.totp_secret), seal(r.totp_pending), r.id)
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

  /** Removes the account; its sessions go with it (ON DELETE CASCADE). */
  removeAccount(id: string): boolean {
    return this.db.prepare('DELETE FROM team_accounts WHERE id = ?').run(id).changes > 0
  }

  /**
   * The account a single sign-on login stands for: made on its first login (just in time), and given the role and
   * workspaces the provider's claims map to on every login, so a change at the provider reaches the gateway.
   */
  ssoAccount(input: {
    issuer: string
    subject: string
    email: string
    name: string
    role: Role
    workspaces: string[]
  }): Account {
    const now = this.clock()
    const row = this.db
      .prepare('SELECT id FROM team_accounts WHERE sso_issuer = ? AND sso_subject = ?')
      .get(input.issuer, input.subject) as { id: string } | undefined
    if (row) {
      this.db
        .prepare('UPDATE team_accounts SET email = ?, name = ?, role = ?, workspaces = ?, updated_at = ? WHERE id = ?')
        .run(input.email, input.name, input.role, JSON.stringify(input.workspaces), now, row.id)
      return this.getAccount(row.id) as Account
    }
    const id = newId('acc')
    try {
      this.db
        .prepare(
          `INSERT INTO team_accounts (id, email, name, role, workspaces, source, sso_issuer, sso_subject, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'sso', ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.email,
          input.name,
          input.role,
          JSON.stringify(input.workspaces),
          input.issuer,
          input.subject,
          now,
          now,
        )
    } catch (err) {
      // A local account with this address exists: single sign-on does not take it over.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new EmailTakenError(input.email)
      throw err
    }
    return this.getAccount(id) as Account
  }

  /**
   * Takes workspaces the config no longer has out of every account's and service account's list, so one made again
   * later under the same id does not come back to them. Answers how many lists changed.
   */
  forgetWorkspaces(known: ReadonlySet<string>): number {
    let changed = 0
    this.db.transaction(() => {
      for (const table of ['team_accounts', 'team_service_accounts'] as const) {
        const rows = this.db.prepare(`SELECT id, workspaces FROM ${table}`).all() as {
          id: string
          workspaces: string
        }[]
        for (const r of rows) {
          const list = JSON.parse(r.workspaces) as string[]
          const kept = list.filter((w) => known.has(w))
          if (kept.length === list.length) continue
          this.db.prepare(`UPDATE ${table} SET workspaces = ? WHERE id = ?`).run(JSON.stringify(kept), r.id)
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

  /** Enabled owners: the last one may be neither removed, demoted nor disabled. */
  ownerCount(): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM team_accounts WHERE role = 'owner' AND disabled = 0").get() as {
        n: number
      }
    ).n
  }

  // Service accounts

  /** A new service account and its token, which only the caller ever sees: the database keeps its digest. */
  createServiceAccount(input: { name: string; role: ServiceAccountRecord['role']; workspaces: string[] }): {
    account: ServiceAccountRecord
    token: string
  } {
    const id = newId('svc')
    const token = `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
    this.db
      .prepare(
        'INSERT INTO team_service_accounts (id, name, role, workspaces, token_digest, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.name, input.role, JSON.stringify(input.workspaces), digestOf(token), this.clock())
    return { account: this.getServiceAccount(id) as ServiceAccountRecord, token }
  }

  getServiceAccount(id: string): ServiceAccountRecord | undefined {
    const row = this.db.prepare('SELECT * FROM team_service_accounts WHERE id = ?').get(id) as ServiceRow | undefined
    return row && toService(row)
  }

  listServiceAccounts(): ServiceAccountRecord[] {
    return (this.db.prepare('SELECT * FROM team_service_accounts ORDER BY created_at, id').all() as ServiceRow[]).map(
      toService,
    )
  }

  removeServiceAccount(id: string): boolean {
    return this.db.prepare('DELETE FROM team_service_accounts WHERE id = ?').run(id).changes > 0
  }

  /**
   * The service account a bearer token belongs to. Looked up by the token's SHA-256 digest (an index probe on a
   * value the caller cannot steer toward a stored one), so no stored secret is compared byte by byte.
   */
  serviceByToken(token: string): ServiceAccountRecord | undefined {
    if (!token.startsWith(SERVICE_TOKEN_PREFIX) || token.length > 100) return undefined
    const row = this.db.prepare('SELECT * FROM team_service_accounts WHERE token_digest = ?').get(digestOf(token)) as
      | ServiceRow
      | undefined
    if (!row) return undefined
    const now = this.clock()
    // Written at most once a minute: a CI job's burst of calls is not a burst of writes.
    if (row.last_used_at === null || now - row.last_used_at > 60_000) {
      this.db.prepare('UPDATE team_service_accounts SET last_used_at = ? WHERE id = ?').run(now, row.id)
    }
    return toService(row)
  }

  // Setup tokens

  /** A new one-time setup token (the link `switchyard serve` prints); earlier ones stop working. */
  createSetupToken(): string {
    const token = randomBytes(32).toString('base64url')
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM team_setup_tokens').run()
      this.db
        .prepare('INSERT INTO team_setup_tokens (digest, expires_at) VALUES (?, ?)')
        .run(digestOf(token), this.clock() + SETUP_TTL_MS)
    })()
    return token
  }

  /** Spends a setup token: true once, for a live one. */
  redeemSetupToken(token: string): boolean {
    if (token.length > 200) return false
    const row = this.db
      .prepare('DELETE FROM team_setup_tokens WHERE digest = ? RETURNING expires_at')
      .get(digestOf(token)) as { expires_at: number } | undefined
    return row !== undefined && row.expires_at >= this.clock()
  }
}

/** Another account already has this email address. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`an account with the email ${email} exists`)
  }
}
