import { randomBytes } from 'node:crypto'
import type { Db } from '../store/db.js'
import type { Principal } from './principal.js'
import { type Account, digestOf } from './team-store.js'

/** A session unused this long ends, whatever its absolute expiry (as solo mode's sessions do). */
export const IDLE_MS = 12 * 60 * 60 * 1000
/** `last_seen_at` is written at most this often: a page's burst of calls is one write. */
export const TOUCH_EVERY_MS = 60_000
export const DEFAULT_SESSION_HOURS = 168
/** Cookie values are 43 characters; anything much longer is not one of ours and is not hashed. */
const MAX_ID_LENGTH = 100

/** A person principal from an account: owners and admins see every workspace. */
export function personPrincipal(
  a: Pick<Account, 'id' | 'name' | 'role' | 'workspaces'>,
  via: Principal['via'],
): Principal {
  const all = a.role === 'owner' || a.role === 'admin'
  return { kind: 'person', id: a.id, name: a.name, role: a.role, workspaces: all ? 'all' : a.workspaces, via }
}

/** A session and the account it signs in: what every check reads (the same columns in SQLite and Postgres). */
export interface SessionRow {
  account_id: string
  created_at: number
  expires_at: number
  last_seen_at: number
  id: string
  email: string
  name: string
  role: Account['role']
  workspaces: string
  disabled: number
}

/**
 * Team mode's web sessions (S1: SQLite and Postgres behind one interface). Only each id's SHA-256 digest is kept:
 * someone who reads the database (or a backup of it) cannot sign in with what they find. Every check reads the
 * account too, so a removed or disabled account, or a changed role, counts from the very next request.
 */
export interface TeamSessions {
  open(accountId: string, via: SessionVia): Promise<{ id: string; expiresAt: number }>
  /**
   * Who a session cookie signs in, or undefined if it is unknown, expired, idle, revoked, or its account is gone or
   * disabled. Postgres answers a promise only for a session its in-memory copy does not hold yet.
   */
  principalOf(id: string): Principal | undefined | Promise<Principal | undefined>
  revoke(id: string): Promise<void>
  /** Ends every session of an account, but `except` (the caller's own, after changing their password). */
  revokeAccount(accountId: string, except?: string): Promise<void>
}

export type SessionVia = 'password' | 'sso' | 'setup'

/** Whether a cookie value is worth hashing: ours are 43 characters. */
export const plausibleSessionId = (id: string) => id.length > 0 && id.length <= MAX_ID_LENGTH

/**
 * The principal a live session stands for, or undefined when it has ended or its account is disabled. A shorter
 * auth.sessionHours ends open sessions by it too; a longer one applies to sessions opened after it (their cookies'
 * Max-Age was set at sign-in). `touch` is whether its `last_seen_at` is due a write.
 */
export function judgeSession(
  row: SessionRow,
  now: number,
  sessionHours: number,
): { principal: Principal; touch: boolean } | undefined {
  if (row.disabled === 1) return undefined
  const ends = Math.min(row.expires_at, row.created_at + sessionHours * 3_600_000)
  if (now >= ends || now - row.last_seen_at > IDLE_MS) return undefined
  return {
    principal: personPrincipal({ ...row, workspaces: JSON.parse(row.workspaces) }, 'session'),
    touch: now - row.last_seen_at >= TOUCH_EVERY_MS,
  }
}

/** A new session id and its expiry. */
export function newSession(now: number, sessionHours: number) {
  return { id: randomBytes(32).toString('base64url'), expiresAt: now + sessionHours * 3_600_000 }
}

/** Team mode's web sessions in the instance's SQLite, so they survive a restart. */
export class SqliteTeamSessions implements TeamSessions {
  constructor(
    private readonly db: Db,
    private readonly sessionHours: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  async open(accountId: string, via: SessionVia): Promise<{ id: string; expiresAt: number }> {
    const now = this.clock()
    const { id, expiresAt } = newSession(now, this.sessionHours())
    // Ended sessions are swept here, on sign-in, so the table holds live sessions and a few stale ones.
    this.db.prepare('DELETE FROM team_sessions WHERE expires_at < ? OR last_seen_at < ?').run(now, now - IDLE_MS)
    this.db
      .prepare(
        'INSERT INTO team_sessions (digest, account_id, via, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(digestOf(id), accountId, via, now, expiresAt, now)
    return { id, expiresAt }
  }

  principalOf(id: string): Principal | undefined {
    if (!plausibleSessionId(id)) return undefined
    const digest = digestOf(id)
    const row = this.db
      .prepare(
        `SELECT s.account_id, s.created_at, s.expires_at, s.last_seen_at, a.id, a.email, a.name, a.role, a.workspaces, a.disabled
         FROM team_sessions s JOIN team_accounts a ON a.id = s.account_id WHERE s.digest = ?`,
      )
      .get(digest) as SessionRow | undefined
    const now = this.clock()
    const judged = row && judgeSession(row, now, this.sessionHours())
    if (judged?.touch) this.db.prepare('UPDATE team_sessions SET last_seen_at = ? WHERE digest = ?').run(now, digest)
    return judged?.principal
  }

  async revoke(id: string): Promise<void> {
    if (!plausibleSessionId(id)) return
    this.db.prepare('DELETE FROM team_sessions WHERE digest = ?').run(digestOf(id))
  }

  async revokeAccount(accountId: string, except?: string): Promise<void> {
    this.db
      .prepare('DELETE FROM team_sessions WHERE account_id = ? AND digest != ?')
      .run(accountId, except === undefined ? '' : digestOf(except))
  }
}
