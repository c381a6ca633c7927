import type { FastifyReply, FastifyRequest } from 'fastify'
import { SESSION_COOKIE } from '../api/edge/admin-access.js'
import type { AuditStore } from '../audit/audit-store.js'
import type { LoadedConfig } from '../config/load.js'
import type { SecretStore } from '../config/secrets.js'
import { workspaceIds } from '../config/workspaces.js'
import { DatabaseUnavailableError } from '../core/database-unavailable.js'
import { type AccessStore, sqliteAccessStore } from '../portal/access-store.js'
import type { SharedState } from '../shared-state/redis.js'
import { closeDatabase, type Db, openDatabase } from '../store/db.js'
import { pgAccessStore } from '../store/pg/access-store.js'
import type { PgLifecycle } from '../store/pg/lifecycle.js'
import { PgTeamCache, PgTeamSessions, PgTeamStore, type TeamNotices } from '../store/pg/team-store.js'
import { LoginLimiter } from './login-limiter.js'
import { LoginLimits } from './login-limits-shared.js'
import { ssoButton } from './oidc/sso-label.js'
import type { Principal } from './principal.js'
import { SignInAudit } from './sign-in-audit.js'
import { DEFAULT_SESSION_HOURS, SqliteTeamSessions, type TeamSessions } from './team-sessions.js'
import type { ServiceAccountRecord } from './team-store.js'
import { SqliteTeamStore, type TeamStore } from './team-store.js'
import { passphraseTotpCipher, totpCipher } from './totp-cipher.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Team mode's accounts and sessions (issue 21); in solo mode it exists and stays unused. */
    team: Team
  }
}

export interface TeamOptions {
  config: () => LoadedConfig
  /** The gateway's database; without one (no data dir, `--no-log`) accounts live in memory for the process. */
  db: () => Db | undefined
  clock?: () => number
  /** Whether the gateway serves HTTPS: then the cookie is `Secure`. */
  secure: boolean
  /** The gateway's secret store (provider keys'), which keeps the key TOTP secrets are sealed with. */
  secrets: () => SecretStore
  /** Where sign-ins are recorded: the gateway's audit trail (the shared Postgres's with config `database`). */
  auditStore: () => AuditStore | undefined
  /**
   * The shared Postgres (config `database`): accounts, sessions, service accounts, setup tokens and access requests
   * live there instead of the instance's SQLite, each instance keeping a copy of what sign-in checks read, refreshed
   * by `notices`. TOTP secrets are then sealed under a key derived from `passphrase` (SWITCHYARD_SECRET_KEY), the
   * same on every instance; without it, under the instance's secret store's key, which opens on that instance only.
   */
  postgres?: () => TeamPostgres | undefined
  /** The shared Redis (config `redis`), once opened: the sign-in limits count every instance's failures there. */
  shared?: () => SharedState | undefined
}

export interface TeamPostgres {
  lifecycle: PgLifecycle
  notices: () => TeamNotices
  passphrase: string | undefined
}

/** The session cookie's attributes, as solo mode's (HttpOnly: scripts cannot read it; Strict: other sites' requests do not carry it). */
export const cookieAttributes = (secure: boolean) => `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`

/**
 * Team mode: accounts, sessions, service accounts and sign-in limits, over the gateway's database. The mode is
 * read from the config on every call, so turning team mode on (POST /admin/v1/team/enable) needs no restart.
 */
export class Team {
  readonly limiter: LoginLimits
  /** Sign-ins, failures and sign-outs in the audit trail (only with the gateway's database). */
  readonly audit: SignInAudit
  private opened:
    | { db: Db | undefined; own: boolean; store: TeamStore; sessions: TeamSessions; cache?: PgTeamCache }
    | undefined

  constructor(private readonly opts: TeamOptions) {
    // An email's counter is kept whatever else is sprayed only when it is an account's: those are the ones
    // guessing is aimed at, and there are only as many as the team has members.
    this.limiter = new LoginLimits(
      new LoginLimiter(opts.clock, (email) => this.store.findByEmail(email) !== undefined),
      opts.shared ?? (() => undefined),
    )
    this.audit = new SignInAudit(opts.auditStore, opts.clock ?? Date.now)
  }

  mode(): 'solo' | 'team' {
    return this.opts.config().resolved.auth?.mode === 'team' ? 'team' : 'solo'
  }

  /** The sign-in page's single sign-on button, from the live config (team mode with `auth.oidc`). */
  get sso(): { label: string } | null {
    return ssoButton(this.mode(), this.opts.config().resolved.auth?.oidc)
  }

  get store(): TeamStore {
    return this.open().store
  }

  get sessions(): TeamSessions {
    return this.open().sessions
  }

  /**
   * The model portal's access requests: in Postgres with `database`, else in the gateway's SQLite; none without
   * either (no data folder).
   */
  accessRequests(): AccessStore | undefined {
    const pg = this.opts.postgres?.()?.lifecycle
    if (pg) return pgAccessStore(pg)
    const db = this.opts.db()
    return db && sqliteAccessStore(db)
  }

  /**
   * Opens a session for the account and sets its cookie on the reply. Resolves to nothing, not the reply: a
   * FastifyReply is thenable, and awaiting it would wait for it to be sent.
   */
  async signIn(reply: FastifyReply, accountId: string, via: 'password' | 'sso' | 'setup'): Promise<void> {
    const session = await this.sessions.open(accountId, via)
    const account = this.store.getAccount(accountId)
    if (account) await this.audit.signedIn(reply.request, account, via)
    const maxAge = Math.floor((session.expiresAt - (this.opts.clock ?? Date.now)()) / 1000)
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${session.id}; Max-Age=${maxAge}; ${cookieAttributes(this.opts.secure)}`,
    )
  }

  /** Ends a team session (POST /auth/logout), in the audit trail as the person's own sign-out. */
  async signOut(req: FastifyRequest, sessionId: string): Promise<void> {
    const person = await this.sessions.principalOf(sessionId)
    await this.sessions.revoke(sessionId)
    if (person) await this.audit.signedOut(req, person)
  }

  /** Who a session cookie signs in (team mode only). */
  sessionPrincipal(id: string): Principal | undefined | Promise<Principal | undefined> {
    if (this.mode() !== 'team') return undefined
    const found = this.sessions.principalOf(id)
    return found instanceof Promise ? found.then((p) => this.configured(p)) : this.configured(found)
  }

  /**
   * The members and service accounts whose workspace lists name `id` (DELETE /admin/v1/workspaces refuses while
   * any do). Without a database and outside team mode there are none to ask about.
   */
  workspaceUsers(id: string): { members: string[]; serviceAccounts: string[] } {
    if (!this.opened && this.opts.db() === undefined && !this.opts.postgres?.() && this.mode() !== 'team')
      return { members: [], serviceAccounts: [] }
    const lists = (a: { workspaces: string[] }) => a.workspaces.includes(id)
    return {
      members: this.store
        .listAccounts()
        .filter(lists)
        .map((a) => a.email),
      serviceAccounts: this.store
        .listServiceAccounts()
        .filter(lists)
        .map((s) => s.name),
    }
  }

  /**
   * Work to do at start with a database: TOTP secrets a version before sealing stored in plain text are sealed, and
   * with Postgres (opened before this) the instance's copy is read and kept fresh. Without a database there is
   * nothing kept to seal.
   */
  async start(): Promise<void> {
    if (this.opts.db() === undefined && !this.opts.postgres?.()) return
    await this.open().cache?.start()
    try {
      await this.store.sealPlainTotp()
      await this.forgetRemovedWorkspaces()
    } catch (err) {
      // Postgres down at start: both are done again at the next start; sign-ins wait for the database anyway.
      if (!(err instanceof DatabaseUnavailableError)) throw err
    }
  }

  /**
   * After a config change (and at start): workspaces the config no longer has leave every member's and service
   * account's list, whatever removed them (DELETE refuses while anyone lists one; an import or a file edit does
   * not ask), so a workspace made again later under the same id starts with no members.
   */
  async forgetRemovedWorkspaces(config: LoadedConfig = this.opts.config()): Promise<void> {
    if (!this.opened && this.opts.db() === undefined && !this.opts.postgres?.()) return
    await this.store.forgetWorkspaces(workspaceIds(config.resolved))
  }

  /** The service account a bearer token stands for (team mode only): its role and workspaces, never more. */
  servicePrincipal(token: string): Principal | undefined | Promise<Principal | undefined> {
    if (this.mode() !== 'team') return undefined
    const found = this.store.serviceByToken(token)
    return found instanceof Promise ? found.then((s) => this.servicePrincipalOf(s)) : this.servicePrincipalOf(found)
  }

  private servicePrincipalOf(s: ServiceAccountRecord | undefined): Principal | undefined {
    return this.configured(
      s && {
        kind: 'service',
        id: s.id,
        name: s.name,
        role: s.role,
        workspaces: s.role === 'admin' ? 'all' : s.workspaces,
        via: 'token',
      },
    )
  }

  /**
   * A principal's workspaces narrowed to those the config has, for lists forgetRemovedWorkspaces has not reached
   * (single sign-on maps claims to workspace ids the config may not have). [] stays [] (a member of none sees none).
   */
  private configured(p: Principal | undefined): Principal | undefined {
    if (!p || p.workspaces === 'all') return p
    const known = workspaceIds(this.opts.config().resolved)
    return { ...p, workspaces: p.workspaces.filter((w) => known.has(w)) }
  }

  /** A one-time setup token when team mode is on and no owner exists yet (for the link `switchyard serve` prints). */
  async setupToken(): Promise<string | undefined> {
    if (this.mode() !== 'team') return undefined
    try {
      if (this.store.hasOwner()) return undefined
      return await this.store.createSetupToken()
    } catch (err) {
      // Postgres unreachable at start: the gateway starts anyway; an instance started once it answers prints the link.
      if (err instanceof DatabaseUnavailableError) return undefined
      throw err
    }
  }

  close(): void {
    this.opened?.cache?.close()
    if (this.opened?.own && this.opened.db) closeDatabase(this.opened.db)
  }

  private open() {
    if (!this.opened) {
      const clock = this.opts.clock ?? Date.now
      const hours = () => this.opts.config().resolved.auth?.sessionHours ?? DEFAULT_SESSION_HOURS
      const pg = this.opts.postgres?.()
      if (pg) {
        const cache = new PgTeamCache(pg.lifecycle, pg.notices)
        const local = totpCipher(this.opts.secrets)
        const totp = pg.passphrase ? passphraseTotpCipher(pg.passphrase) : local
        this.opened = {
          db: undefined,
          own: false,
          cache,
          store: new PgTeamStore(cache, totp, clock, totp === local ? undefined : local),
          sessions: new PgTeamSessions(cache, hours, clock),
        }
        return this.opened
      }
      const given = this.opts.db()
      const db = given ?? openDatabase(':memory:')
      this.opened = {
        db,
        own: given === undefined,
        store: new SqliteTeamStore(db, totpCipher(this.opts.secrets), clock),
        sessions: new SqliteTeamSessions(db, hours, clock),
      }
    }
    return this.opened
  }
}
