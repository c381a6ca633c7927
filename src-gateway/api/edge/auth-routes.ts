import type { FastifyInstance, FastifyReply } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import { registerTeamAuthRoutes, teamLogin, teamSessionView } from '../../team/auth-routes-team.js'
import { cookieAttributes, type Team } from '../../team/team.js'
import { type AdminAccess, cookieOf, SESSION_COOKIE, sameSecret } from './admin-access.js'

/** Where an unknown, used or expired sign-in link sends the browser (the sign-in page reads the flag). */
const LINK_INVALID = '/?signin=link-invalid'

/**
 * The web UI's sign-in, public by nature: POST /auth/login with the admin token, or GET /auth/login
 * with the one-time code `switchyard serve` prints; POST /auth/logout; GET /auth/session. The session
 * lives in an HttpOnly, SameSite=Strict cookie: page scripts cannot read it and other sites' requests
 * do not carry it. In team mode (config `auth.mode: team`) the same routes sign people in with their email and
 * password instead (team/auth-routes-team.ts), and their sessions are the team's.
 */
export function registerAuthRoutes(
  scope: FastifyInstance,
  access: AdminAccess,
  opts: { secure: boolean; team: Team; clock?: () => number },
): void {
  const { team } = opts
  const attributes = cookieAttributes(opts.secure)
  const signIn = (reply: FastifyReply) =>
    reply.header('set-cookie', `${SESSION_COOKIE}=${access.sessions.open()}; ${attributes}`)

  scope.post('/auth/login', async (req, reply) => {
    if (team.mode() === 'team') return teamLogin(team, req, reply, opts.clock ?? Date.now)
    const token = (req.body as { token?: unknown } | null)?.token
    if (typeof token !== 'string' || !sameSecret(token, access.token())) {
      throw new GatewayError('authentication', 'wrong admin token', { code: 'invalid_admin_token' })
    }
    return signIn(reply).code(204).send()
  })

  // No HEAD twin: a link preview's HEAD must not spend the one-time code.
  scope.get('/auth/login', { exposeHeadRoute: false }, async (req, reply) => {
    const code = (req.query as { code?: unknown }).code
    // A person clicked this link: a spent one lands on the sign-in page, which says why, not on a JSON error.
    // In team mode the link signs nobody in: people sign in as themselves.
    if (team.mode() === 'team' || typeof code !== 'string' || !(await access.sessions.spendLinkCode(code))) {
      return reply.redirect(LINK_INVALID, 302)
    }
    return signIn(reply).redirect('/', 302)
  })

  scope.post('/auth/logout', async (req, reply) => {
    const session = cookieOf(req, SESSION_COOKIE)
    if (session !== undefined) {
      // Both: a session opened in one mode ends even if the mode changed since.
      access.sessions.close(session)
      if (team.mode() === 'team') await team.signOut(req, session)
    }
    return reply.header('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`).code(204).send()
  })

  scope.get('/auth/session', async (req) => {
    if (team.mode() === 'team') return teamSessionView(team, access, req)
    const proof = await access.proofOf(req)
    return { mode: 'solo', authenticated: proof === 'token' || proof === 'session' }
  })

  registerTeamAuthRoutes(scope, team, { clock: opts.clock })
}
