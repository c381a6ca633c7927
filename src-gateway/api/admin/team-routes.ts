import type { FastifyInstance, FastifyRequest } from 'fastify'
import { NoBodySchema, NoQuerySchema } from '../../../src-shared/contract/common.js'
import {
  type MemberCreateBody,
  MemberCreateBodySchema,
  MemberIdParamsSchema,
  type MemberPatchBody,
  MemberPatchBodySchema,
  type PasswordResetBody,
  PasswordResetBodySchema,
  type ServiceAccountCreateBody,
  ServiceAccountCreateBodySchema,
  type TeamEnableBody,
  TeamEnableBodySchema,
} from '../../../src-shared/contract/team.js'
import { diffValues } from '../../audit/value-diff.js'
import type { ConfigStore } from '../../config/store.js'
import { workspaceIds } from '../../config/workspaces.js'
import { GatewayError } from '../../core/errors.js'
import { teamModeOff } from '../../team/auth-routes-team.js'
import type { Team } from '../../team/team.js'
import {
  type Account,
  EmailTakenError,
  LastOwnerError,
  memberView,
  OwnerExistsError,
  serviceView,
} from '../../team/team-store.js'
import { applying, conflict, notFound } from './admin-errors.js'

type IdParams = { id: string }

const ownersOnly = () =>
  new GatewayError('permission', 'only an owner may create, change, reset or remove an owner', { code: 'owner_only' })
const lastOwner = () =>
  conflict('the last owner cannot be removed, demoted or disabled: make another owner first', 'last_owner')

const taking = async <T>(make: () => Promise<T>): Promise<T> => {
  try {
    return await make()
  } catch (err) {
    if (err instanceof EmailTakenError) throw conflict(err.message, 'email_taken', 'email')
    if (err instanceof OwnerExistsError) throw accountsExist()
    throw err
  }
}

/** Runs a change the store refuses with LastOwnerError when it would leave no enabled owner (on any instance). */
const keepingAnOwner = async <T>(change: () => Promise<T>): Promise<T> => {
  try {
    return await change()
  } catch (err) {
    if (err instanceof LastOwnerError) throw lastOwner()
    throw err
  }
}

const accountsExist = () =>
  conflict(
    'this install has team accounts from before: set auth.mode: team in the config to use them',
    'team_accounts_exist',
  )

/** The team, in team mode only: the members API means nothing to a solo install. */
function teamOf(req: FastifyRequest): Team {
  const team = req.server.team
  if (team.mode() !== 'team') throw teamModeOff()
  return team
}

/** Refuses workspace ids the config does not have: a member of a typo'd workspace would silently see nothing. */
function knownWorkspaces(store: ConfigStore, ids: string[] | undefined): string[] | undefined {
  if (ids === undefined) return undefined
  const known = workspaceIds(store.current.resolved)
  const unknown = ids.find((id) => !known.has(id))
  if (unknown !== undefined) {
    throw new GatewayError(
      'invalid_request',
      `no workspace '${unknown}' is configured (workspaces: ${[...known].join(', ')})`,
      {
        code: 'invalid_value',
        param: 'workspaces',
      },
    )
  }
  return [...new Set(ids)]
}

/** Whether the caller may act on owners: owners (and the admin token, the install's owner) only. */
const actsAsOwner = (req: FastifyRequest) => req.principal?.role === 'owner'

/**
 * The members and service accounts API (team mode), and POST /admin/v1/team/enable (solo to team). Each route
 * needs `members:manage` (the permission guard checks it); on top of that, only owners touch owners, and the last
 * owner stays. A change ends the sessions it makes stale (password reset, disabling), and every change is written
 * to the audit trail with who made it.
 */
export function registerTeamRoutes(app: FastifyInstance, store: ConfigStore): void {
  const manage = { permission: 'members:manage' } as const
  const audit = (req: FastifyRequest, action: string, target: string, before: unknown, after: unknown) =>
    app.audit.record(req, { action, target, diff: diffValues(before, after) })

  const member = (team: Team, id: string): Account => {
    const found = team.store.getAccount(id)
    if (!found) throw notFound(`no member '${id}'`, 'member_not_found')
    return found
  }

  /** The member a route acts on, when the caller may act on them: only owners touch owners. */
  const memberToManage = (req: FastifyRequest<{ Params: IdParams }>): { team: Team; target: Account } => {
    const team = teamOf(req)
    const target = member(team, req.params.id)
    if (target.role === 'owner' && !actsAsOwner(req)) throw ownersOnly()
    return { team, target }
  }

  app.get('/admin/v1/team/members', { config: manage, schema: { querystring: NoQuerySchema } }, async (req) => {
    const items = teamOf(req).store.listAccounts().map(memberView)
    return { items, total: items.length, nextCursor: null }
  })

  app.post<{ Body: MemberCreateBody }>(
    '/admin/v1/team/members',
    { config: manage, schema: { body: MemberCreateBodySchema } },
    async (req, reply) => {
      const team = teamOf(req)
      if (req.body.role === 'owner' && !actsAsOwner(req)) throw ownersOnly()
      const created = await taking(() =>
        team.store.createAccount({
          email: req.body.email.trim(),
          name: req.body.name.trim(),
          role: req.body.role,
          workspaces: knownWorkspaces(store, req.body.workspaces) ?? [],
          password: req.body.password,
          source: 'local',
        }),
      )
      const view = memberView(created)
      await audit(req, 'member.create', created.id, undefined, { email: view.email, name: view.name, role: view.role })
      return reply.code(201).send(view)
    },
  )

  app.patch<{ Params: IdParams; Body: MemberPatchBody }>(
    '/admin/v1/team/members/:id',
    { config: manage, schema: { params: MemberIdParamsSchema, body: MemberPatchBodySchema } },
    async (req) => {
      const team = teamOf(req)
      const before = member(team, req.params.id)
      const { role, disabled } = req.body
      if ((before.role === 'owner' || role === 'owner') && !actsAsOwner(req)) throw ownersOnly()
      const stopsOwning = before.role === 'owner' && ((role !== undefined && role !== 'owner') || disabled === true)
      const patch = { ...req.body, workspaces: knownWorkspaces(store, req.body.workspaces) }
      const after = (await keepingAnOwner(() =>
        team.store.updateAccount(before.id, patch, { keepAnOwner: stopsOwning }),
      )) as Account
      if (disabled) await team.sessions.revokeAccount(before.id)
      await audit(req, 'member.update', before.id, memberView(before), memberView(after))
      return memberView(after)
    },
  )

  app.delete<{ Params: IdParams }>(
    '/admin/v1/team/members/:id',
    { config: manage, schema: { params: MemberIdParamsSchema, body: NoBodySchema } },
    async (req, reply) => {
      const { team, target: gone } = memberToManage(req)
      const owning = gone.role === 'owner' && !gone.disabled
      await keepingAnOwner(() => team.store.removeAccount(gone.id, { keepAnOwner: owning }))
      await audit(req, 'member.remove', gone.id, memberView(gone), undefined)
      return reply.code(204).send()
    },
  )

  app.post<{ Params: IdParams; Body: PasswordResetBody }>(
    '/admin/v1/team/members/:id/password',
    { config: manage, schema: { params: MemberIdParamsSchema, body: PasswordResetBodySchema } },
    async (req, reply) => {
      const { team, target } = memberToManage(req)
      if (target.source === 'sso') throw conflict('this member signs in with single sign-on', 'sso_account')
      await team.store.setPassword(target.id, req.body.password)
      // Whoever knew the old password (or held a session opened with it) is out.
      await team.sessions.revokeAccount(target.id)
      await audit(req, 'member.password-reset', target.id, { password: 'old' }, { password: 'new' })
      return reply.code(204).send()
    },
  )

  // A lost authenticator: the member signs in with their password alone and enrols again. Not for oneself: turning
  // off one's own two-factor asks for a code (DELETE /admin/v1/me/totp), which a stolen session does not have.
  app.delete<{ Params: IdParams }>(
    '/admin/v1/team/members/:id/totp',
    { config: manage, schema: { params: MemberIdParamsSchema, body: NoBodySchema } },
    async (req, reply) => {
      const { team, target } = memberToManage(req)
      if (req.principal?.kind === 'person' && req.principal.id === target.id) {
        throw conflict('turn off your own two-factor under your name → Two-factor, with a code', 'totp_self')
      }
      if (target.totpSecret === null && target.totpPending === null) throw conflict('TOTP is off', 'totp_disabled')
      await team.store.setTotp(target.id, { secret: null, pending: null, lastCounter: null })
      // A session opened with the old second factor may be the one that took over the account.
      await team.sessions.revokeAccount(target.id)
      await audit(req, 'member.totp-reset', target.id, { totp: target.totpSecret !== null }, { totp: false })
      return reply.code(204).send()
    },
  )

  app.post<{ Params: IdParams }>(
    '/admin/v1/team/members/:id/sign-out',
    { config: manage, schema: { params: MemberIdParamsSchema, body: NoBodySchema } },
    async (req, reply) => {
      const { team, target } = memberToManage(req)
      await team.sessions.revokeAccount(target.id)
      await audit(req, 'member.sign-out', target.id, { sessions: 'open' }, { sessions: 'ended' })
      return reply.code(204).send()
    },
  )

  app.get(
    '/admin/v1/team/service-accounts',
    { config: manage, schema: { querystring: NoQuerySchema } },
    async (req) => {
      const items = teamOf(req).store.listServiceAccounts().map(serviceView)
      return { items, total: items.length, nextCursor: null }
    },
  )

  app.post<{ Body: ServiceAccountCreateBody }>(
    '/admin/v1/team/service-accounts',
    { config: manage, schema: { body: ServiceAccountCreateBodySchema } },
    async (req, reply) => {
      const team = teamOf(req)
      const { account, token } = await team.store.createServiceAccount({
        name: req.body.name.trim(),
        role: req.body.role,
        workspaces: knownWorkspaces(store, req.body.workspaces) ?? [],
      })
      const view = serviceView(account)
      await audit(req, 'service-account.create', account.id, undefined, { name: view.name, role: view.role })
      return reply.code(201).send({ ...view, token })
    },
  )

  app.delete<{ Params: IdParams }>(
    '/admin/v1/team/service-accounts/:id',
    { config: manage, schema: { params: MemberIdParamsSchema, body: NoBodySchema } },
    async (req, reply) => {
      const team = teamOf(req)
      const gone = team.store.getServiceAccount(req.params.id)
      if (!gone) throw notFound(`no service account '${req.params.id}'`, 'service_account_not_found')
      await team.store.removeServiceAccount(gone.id)
      await audit(req, 'service-account.remove', gone.id, { name: gone.name, role: gone.role }, undefined)
      return reply.code(204).send()
    },
  )

  // Solo to team from Settings: the caller (the admin token's owner) becomes the first owner and is signed in as them.
  app.post<{ Body: TeamEnableBody }>(
    '/admin/v1/team/enable',
    { config: { permission: 'settings:write' }, schema: { body: TeamEnableBodySchema } },
    async (req, reply) => {
      const team = app.team
      if (team.mode() === 'team') throw conflict('team mode is on already', 'team_mode_on')
      if (team.store.hasOwner()) throw accountsExist()
      const owner = await taking(() =>
        team.store.createAccount(
          {
            email: req.body.email.trim(),
            name: req.body.name.trim(),
            role: 'owner',
            workspaces: [],
            password: req.body.password,
            source: 'local',
          },
          { firstOwner: true },
        ),
      )
      try {
        applying(() =>
          store.update((d) => {
            d.auth = { ...d.auth, mode: 'team' }
          }),
        )
      } catch (err) {
        await team.store.removeAccount(owner.id)
        throw err
      }
      await team.signIn(reply, owner.id, 'password')
      return reply.code(204).send()
    },
  )
}
