import type { FastifyInstance, FastifyRequest } from 'fastify'
import { NoBodySchema, NoQuerySchema } from '../../../src-shared/contract/common.js'
import {
  type Me,
  type PasswordChangeBody,
  PasswordChangeBodySchema,
  type TotpCodeBody,
  TotpCodeBodySchema,
  type TotpStart,
} from '../../../src-shared/contract/team.js'
import { GatewayError } from '../../core/errors.js'
import { teamModeOff } from '../../team/auth-routes-team.js'
import { addressKey } from '../../team/login-limiter.js'
import type { Team } from '../../team/team.js'
import { type Account, memberView, passwordMatches } from '../../team/team-store.js'
import { newTotpSecret, totpStep, totpUri } from '../../team/totp.js'
import { cookieOf, SESSION_COOKIE } from '../edge/admin-access.js'
import { conflict } from './admin-errors.js'

const self = { permission: 'self' } as const

const wrongCode = () => new GatewayError('invalid_request', 'wrong authenticator code', { code: 'invalid_code' })

/**
 * The signed-in person's own account (team mode): who they are, their password, and TOTP. Every principal may call
 * these (`self`); password and TOTP are a person's, so the admin token and service accounts get 409 `not_a_person`.
 */
export function registerMeRoutes(app: FastifyInstance, clock: () => number = Date.now): void {
  const teamOf = (): Team => {
    if (app.team.mode() !== 'team') throw teamModeOff()
    return app.team
  }
  const personOf = (req: FastifyRequest): { team: Team; account: Account } => {
    const team = teamOf()
    const account = req.principal?.kind === 'person' ? team.store.getAccount(req.principal.id) : undefined
    if (!account) throw conflict('only a person signed in as themselves has a password and TOTP', 'not_a_person')
    return { team, account }
  }

  app.get('/admin/v1/me', { config: self, schema: { querystring: NoQuerySchema } }, async (req): Promise<Me> => {
    const team = teamOf()
    const { via: _via, ...principal } = req.principal as NonNullable<FastifyRequest['principal']>
    const account = principal.kind === 'person' ? team.store.getAccount(principal.id) : undefined
    if (!account) return principal
    const { email, source, totp, lastSeenAt } = memberView(account)
    return { ...principal, email, source, totp, lastSeenAt }
  })

  app.post<{ Body: PasswordChangeBody }>(
    '/admin/v1/me/password',
    { config: self, schema: { body: PasswordChangeBodySchema } },
    async (req, reply) => {
      const { team, account } = personOf(req)
      if (account.source === 'sso') throw conflict('you sign in with single sign-on', 'sso_account')
      // The sign-in limits guard the current password here too: a stolen session cannot guess it freely.
      const keys = [addressKey(req.ip), `email:${account.email.toLowerCase()}`]
      const wait = await team.limiter.retryAfter(keys)
      if (wait > 0) {
        throw new GatewayError('rate_limited', 'too many wrong passwords: try again later', {
          code: 'too_many_attempts',
          retryAfter: String(wait),
        })
      }
      if (!(await passwordMatches(account.passwordHash, req.body.current))) {
        await team.limiter.fail(keys)
        throw new GatewayError('invalid_request', 'the current password is wrong', { code: 'invalid_credentials' })
      }
      await team.store.setPassword(account.id, req.body.next)
      // Every other session of the account ends; this one stays, so changing a password does not sign you out.
      await team.sessions.revokeAccount(account.id, cookieOf(req, SESSION_COOKIE))
      return reply.code(204).send()
    },
  )

  app.post('/admin/v1/me/totp', { config: self, schema: { body: NoBodySchema } }, async (req): Promise<TotpStart> => {
    const { team, account } = personOf(req)
    if (account.totpSecret !== null) throw conflict('TOTP is on: turn it off first to enrol again', 'totp_enabled')
    // Pending until a code from it is confirmed: a secret the person never saved must not lock them out.
    const secret = newTotpSecret()
    await team.store.setTotp(account.id, { pending: secret })
    return { secret, uri: totpUri(secret, account.email) }
  })

  app.put<{ Body: TotpCodeBody }>(
    '/admin/v1/me/totp',
    { config: self, schema: { body: TotpCodeBodySchema } },
    async (req, reply) => {
      const { team, account } = personOf(req)
      if (account.totpPending === null) throw conflict('start TOTP enrolment first (POST)', 'totp_not_started')
      const step = totpStep(account.totpPending, req.body.code, clock())
      if (step === undefined) throw wrongCode()
      await team.store.setTotp(account.id, { secret: account.totpPending, pending: null, lastCounter: step })
      return reply.code(204).send()
    },
  )

  app.delete<{ Body: TotpCodeBody }>(
    '/admin/v1/me/totp',
    { config: self, schema: { body: TotpCodeBodySchema } },
    async (req, reply) => {
      const { team, account } = personOf(req)
      if (account.totpSecret === null) throw conflict('TOTP is off', 'totp_disabled')
      const step = totpStep(account.totpSecret, req.body.code, clock())
      if (step === undefined || step <= (account.totpLastCounter ?? -1)) throw wrongCode()
      await team.store.setTotp(account.id, { secret: null, pending: null, lastCounter: null })
      return reply.code(204).send()
    },
  )
}
