import type { FastifyReply, FastifyRequest } from 'fastify'
import { SESSION_COOKIE } from '../api/edge/admin-access.js'
import type { LoadedConfig } from '../config/load.js'
import type { SecretStore } from '../config/secrets.js'
import { workspaceIds } from '../config/workspaces.js'
import { closeDatabase, type Db, openDatabase } from '../store/db.js'
import { LoginLimiter } from './login-limiter.js'
import { ssoButton } from './oidc/sso-label.js'
import type { Principal } from './principal.js'
import { SignInAudit } from './sign-in-audit.js'
import { DEFAULT_SESSION_HOURS, TeamSessions } from './team-sessions.js'
import { TeamStore } from './team-store.js'
import { totpCipher } from './totp-cipher.js'

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
}

/** The session cookie's attributes, as solo mode's (HttpOnly: scripts cannot read it; Strict: other sites' requests do not carry it). */
export const cookieAttributes = (secure: boolean) => `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`

/**
 * Team mode: accounts, sessions, service accounts and sign-in limits, over the gateway's database. The mode is
 * read from the config on every call, so turning team mode on (POST /admin/v1/team/enable) needs no restart.
 */
export class Team {
  readonly limiter: LoginLimiter
  /** Sign-ins, failures and sign-outs in the audit trail (only with the gateway's database). */
  readonly audit: SignInAudit
  private opened: { db: Db; own: boolean; store: TeamStore; sessions: TeamSessions } | undefined

  constructor(private readonly opts: TeamOptions) {
    // An email's counter is kept whatever else is sprayed only when it is an account's: those are the ones
    // guessing is aimed at, and there are only as many as the team has members.
    this.limiter = new LoginLimiter(opts.clock, (email) => this.store.findByEmail(email) !== undefined)
    this.audit = new SignInAudit(opts.db, opts.clock ?? Date.now)
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

  /** Opens a session for the account and sets its cookie on the reply. */
  signIn(reply: FastifyReply, accountId: string, via: 'password' | 'sso' | 'setup'): FastifyReply {
    const session = this.sessions.open(accountId, via)
    const account = this.store.getAccount(accountId)
    if (account) this.audit.signedIn(reply.request, account, via)
    const maxAge = Math.floor((session.expiresAt - (this.opts.clock ?? Date.now)()) / 1000)
    return reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${session.id}; Max-Age=${maxAge}; ${cookieAttributes(this.opts.secure)}`,
    )
  }

  /** Ends a team session (POST /auth/logout), in the audit trail as the person's own sign-out. */
  signOut(req: FastifyRequest, sessionId: string): void {
    const person = this.sessions.principalOf(sessionId)
    this.sessions.revoke(sessionId)
    if (person) this.audit.signedOut(req, person)
  }

  /** Who a session cookie signs in (team mode only). */
  sessionPrincipal(id: string): Principal | undefined {
    return this.mode() === 'team' ? this.configured(this.sessions.principalOf(id)) : undefined
  }

  /**
   * The members and service accounts whose workspace lists name `id` (DELETE /admin/v1/workspaces refuses while
   * any do). Without a database and outside team mode there are none to ask about.
   */
  workspaceUsers(id: string): { members: string[]; serviceAccounts: string[] } {
    if (!this.opened && this.opts.db() === undefined && this.mode() !== 'team')
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
   * Work to do at start with a database: TOTP secrets a version before sealing stored in plain text are sealed.
   * Without a database there is nothing kept to seal.
   */
  start(): void {
    if (this.opts.db() === undefined) return
    this.store.sealPlainTotp()
    this.forgetRemovedWorkspaces()
  }

  /**
   * After a config change (and at start): workspaces the config no longer has leave every member's and service
   * account's list, whatever removed them (DELETE refuses while anyone lists one; an import or a file edit does
   * not ask), so a workspace made again later under the same id starts with no members.
   */
  forgetRemovedWorkspaces(config: LoadedConfig = this.opts.config()): void {
    if (!this.opened && this.opts.db() === undefined) return
    this.store.forgetWorkspaces(workspaceIds(config.resolved))
  }

  /** The service account a bearer token stands for (team mode only): its role and workspaces, never more. */
  servicePrincipal(token: string): Principal | undefined {
    if (this.mode() !== 'team') return undefined
    const s = this.store.serviceByToken(token)
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
  setupToken(): string | undefined {
    if (this.mode() !== 'team' || this.store.hasOwner()) return undefined
    return this.store.createSetupToken()
  }

  close(): void {
    if (this.opened?.own) closeDatabase(this.opened.db)
  }

  private open() {
    if (!this.opened) {
      const given = this.opts.db()
      const db = given ?? openDatabase(':memory:')
      const clock = this.opts.clock ?? Date.now
      const hours = () => this.opts.config().resolved.auth?.sessionHours ?? DEFAULT_SESSION_HOURS
      this.opened = {
        db,
        own: given === undefined,
        store: new TeamStore(db, totpCipher(this.opts.secrets), clock),
        sessions: new TeamSessions(db, hours, clock),
      }
    }
    return this.opened
  }
}
