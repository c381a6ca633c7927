import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Compile } from 'typebox/compile'
import { ROLE_PERMISSIONS } from '../../src-shared/contract/permissions.js'
import { type AuthSession, SetupBodySchema, TeamLoginBodySchema } from '../../src-shared/contract/team.js'
import { conflict } from '../api/admin/admin-errors.js'
import type { AdminAccess } from '../api/edge/admin-access.js'
import { GatewayError } from '../core/errors.js'
import { addressKey } from './login-limiter.js'
import { registerOidcRoutes } from './oidc/routes.js'
import type { Team } from './team.js'
import { type Account, OwnerExistsError, passwordMatches } from './team-store.js'
import { totpStep } from './totp.js'

const loginBody = Compile(TeamLoginBodySchema)
const setupBody = Compile(SetupBodySchema)

export const teamModeOff = () => conflict('team mode is off (config auth.mode: solo)', 'team_mode_off')

const invalidCredentials = () =>
  new GatewayError('authentication', 'wrong email or password', { code: 'invalid_credentials' })

/**
 * POST /auth/login in team mode: `{ email, password, totp? }`. An unknown email, a wrong password and a disabled
 * account get the same answer after the same Argon2id work (see passwordMatches), so the answer does not tell
 * which addresses have accounts. Failures count per client address and per email (LoginLimiter).
 */
export async function teamLogin(team: Team, req: FastifyRequest, reply: FastifyReply, now: () => number) {
  const body = req.body
  if (!loginBody.Check(body)) {
    throw new GatewayError('invalid_request', 'sign in with { email, password } (and totp when enrolled)', {
      code: 'invalid_value',
    })
  }
  const email = body.email.trim().toLowerCase()
  const keys = [addressKey(req.ip), `email:${email}`]
  const wait = await team.limiter.retryAfter(keys)
  if (wait > 0) {
    await team.audit.failed(req, body.email, 'too_many_attempts')
    throw new GatewayError('rate_limited', 'too many failed sign-ins: try again later', {
      code: 'too_many_attempts',
      retryAfter: String(wait),
    })
  }
  const found = team.store.lookUpEmail(email)
  let account: Account | undefined
  let matches: boolean
  if (found instanceof Promise) {
    // Not in this instance's copy: the database is asked beside the unknown address's dummy hash, so the answer
    // takes as long as for any unknown address; an account made on another instance a moment ago still signs in.
    const [fresh, none] = await Promise.all([found, passwordMatches(undefined, body.password)])
    account = fresh
    matches = fresh ? await passwordMatches(fresh.passwordHash, body.password) : none
  } else {
    account = found
    matches = await passwordMatches(account?.passwordHash, body.password)
  }
  if (!account || !matches || account.disabled) {
    await team.limiter.fail(keys)
    await team.audit.failed(
      req,
      body.email,
      !account ? 'unknown_account' : !matches ? 'wrong_password' : 'account_disabled',
    )
    throw invalidCredentials()
  }
  if (account.totpSecret !== null) {
    // No code yet is the first step of a TOTP sign-in, not a failure; a wrong or replayed code is.
    if (!body.totp) {
      throw new GatewayError('authentication', 'this account needs its authenticator code', { code: 'totp_required' })
    }
    const step = totpStep(account.totpSecret, body.totp, now())
    if (step === undefined || step <= (account.totpLastCounter ?? -1)) {
      await team.limiter.fail(keys)
      await team.audit.failed(req, body.email, 'wrong_totp')
      throw new GatewayError('authentication', 'wrong authenticator code', { code: 'totp_required' })
    }
    await team.store.setTotp(account.id, { lastCounter: step })
  }
  await team.limiter.succeed(`email:${email}`)
  await team.signIn(reply, account.id, 'password')
  return reply.code(204).send()
}

/** GET /auth/session in team mode: who the cookie (or bearer) signs in, and whether the first owner is still to come. */
export async function teamSessionView(team: Team, access: AdminAccess, req: FastifyRequest): Promise<AuthSession> {
  const caller = await access.callerOf(req)
  const principal = typeof caller === 'object' ? caller.principal : undefined
  const view: AuthSession = {
    mode: 'team',
    authenticated: principal !== undefined,
    sso: team.sso,
    setupRequired: !team.store.hasOwner(),
  }
  if (principal) {
    const { via: _via, ...shown } = principal
    view.principal = shown
    view.permissions = [...ROLE_PERMISSIONS[principal.role]]
  }
  return view
}

/**
 * Team mode's own public routes: single sign-on (oidc/routes.ts), and POST /auth/setup, which spends the one-time
 * token from the link `switchyard serve` prints to create the first owner and sign them in. It works only while no
 * owner exists.
 */
export function registerTeamAuthRoutes(scope: FastifyInstance, team: Team, opts: { clock?: () => number } = {}): void {
  registerOidcRoutes(scope, team, opts)
  scope.post('/auth/setup', async (req, reply) => {
    if (team.mode() !== 'team') throw teamModeOff()
    const body = req.body
    if (!setupBody.Check(body)) {
      throw new GatewayError(
        'invalid_request',
        'setup takes { token, email, name, password } (a password of at least 10 characters)',
        { code: 'invalid_value' },
      )
    }
    // Spent even when an owner exists, so a leaked link stops working either way.
    const redeemed = await team.store.redeemSetupToken(body.token)
    const refused = async () => {
      await team.audit.failed(req, body.email, 'invalid_setup_token')
      return new GatewayError('authentication', 'this setup link is unknown, used or expired', {
        code: 'invalid_setup_token',
      })
    }
    if (!redeemed || team.store.hasOwner()) throw await refused()
    let owner: Awaited<ReturnType<typeof team.store.createAccount>>
    try {
      // firstOwner: two links redeemed at once (on two instances) make one owner.
      owner = await team.store.createAccount(
        {
          email: body.email.trim(),
          name: body.name.trim(),
          role: 'owner',
          workspaces: [],
          password: body.password,
          source: 'local',
        },
        { firstOwner: true },
      )
    } catch (err) {
      if (err instanceof OwnerExistsError) throw await refused()
      throw err
    }
    await team.signIn(reply, owner.id, 'setup')
    return reply.code(204).send()
  })
}
