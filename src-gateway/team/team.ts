import type { FastifyReply } from 'fastify'
import { SESSION_COOKIE } from '../api/edge/admin-access.js'
import type { LoadedConfig } from '../config/load.js'
import { closeDatabase, type Db, openDatabase } from '../store/db.js'
import { LoginLimiter } from './login-limiter.js'
import { ssoButton } from './oidc/sso-label.js'
import type { Principal } from './principal.js'
import { DEFAULT_SESSION_HOURS, TeamSessions } from './team-sessions.js'
import { TeamStore } from './team-store.js'

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
}

/** The session cookie's attributes, as solo mode's (HttpOnly: scripts cannot read it; Strict: other sites' requests do not carry it). */
export const cookieAttributes = (secure: boolean) => `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`

/**
 * Team mode: accounts, sessions, service accounts and sign-in limits, over the gateway's database. The mode is
 * read from the config on every call, so turning team mode on (POST /admin/v1/team/enable) needs no restart.
 */
export class Team {
  readonly limiter: LoginLimiter
  private opened: { db: Db; own: boolean; store: TeamStore; sessions: TeamSessions } | undefined

  constructor(private readonly opts: TeamOptions) {
    this.limiter = new LoginLimiter(opts.clock)
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
    const maxAge = Math.floor((session.expiresAt - (this.opts.clock ?? Date.now)()) / 1000)
    return reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${session.id}; Max-Age=${maxAge}; ${cookieAttributes(this.opts.secure)}`,
    )
  }

  /** Who a session cookie signs in (team mode only). */
  sessionPrincipal(id: string): Principal | undefined {
    return this.mode() === 'team' ? this.sessions.principalOf(id) : undefined
  }

  /** The service account a bearer token stands for (team mode only): its role and workspaces, never more. */
  servicePrincipal(token: string): Principal | undefined {
    if (this.mode() !== 'team') return undefined
    const s = this.store.serviceByToken(token)
    return (
      s && {
        kind: 'service',
        id: s.id,
        name: s.name,
        role: s.role,
        workspaces: s.role === 'admin' ? 'all' : s.workspaces,
        via: 'token',
      }
    )
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
        store: new TeamStore(db, clock),
        sessions: new TeamSessions(db, hours, clock),
      }
    }
    return this.opened
  }
}
