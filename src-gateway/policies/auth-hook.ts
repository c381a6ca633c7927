import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type AdminAccess, type AdminCaller, CSRF_HEADER, modelApiProof } from '../api/edge/admin-access.js'
import type { GatewayConfig } from '../config/schema.js'
import { GatewayError } from '../core/errors.js'
import type { CallerIdentity } from '../pipeline/call.js'
import { signedInPerson } from '../sessions/attribution.js'
import { requestWorkspace, WORKSPACE_HEADER } from '../team/tenancy.js'
import { presentedKey } from './keys.js'
import type { Policies } from './policies.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the model-API guard found the caller to be; unset where nobody is asked (a keyless loopback gateway). */
    identity?: CallerIdentity
  }
}

const OPEN: CallerIdentity = { kind: 'open' }
const ADMIN: CallerIdentity = { kind: 'admin' }

/** Who makes a call that arrived over HTTP, as the guard decided it. */
export function callerIdentity(req: FastifyRequest): CallerIdentity {
  return req.identity ?? OPEN
}

export interface KeyAuthOptions {
  policies: Policies
  admin: AdminAccess
  /** Whether the server listens beyond loopback: then a key is required even with none configured. */
  offLoopback: () => boolean
  /** The config in force: its workspaces are the ones a UI call may be made in. */
  config: () => Pick<GatewayConfig, 'workspaces'>
}

/**
 * The identity of a call the web UI (or the admin token) makes: the signed-in person, and the workspace the call
 * is made in, which its log row, its workspace's budget and limits, and the routes it may address follow. A
 * member's call is always in one of their workspaces (the switcher's `x-switchyard-workspace`, else their first);
 * the admin token's only when it names one, so solo mode's calls stay outside every workspace as before.
 */
function adminIdentity(req: FastifyRequest, caller: AdminCaller, config: KeyAuthOptions['config']): CallerIdentity {
  const { principal } = caller
  const person = signedInPerson(principal)
  const named = req.headers[WORKSPACE_HEADER] !== undefined
  if (principal.kind === 'admin-token' && !named) return person ? { kind: 'admin', person } : ADMIN
  const workspace = requestWorkspace({ headers: req.headers, principal }, config())
  return { kind: 'admin', ...(person ? { person } : {}), workspace }
}

/**
 * The model-API scope's guard (OpenAI, Anthropic, Responses, Ollama, prompt runs, /metrics, /docs).
 * A client key is required once any is configured, and always off loopback: with no keys there, every
 * call is refused, because an admin token is not access control for spending provider keys. The admin
 * (bearer token, or the web UI's session with its CSRF header on a POST) may call too, so the UI's
 * Playground works. Records who called (`req.identity`).
 *
 * Every request is judged by what it presents, whatever carried it (a socket or `app.inject`): the gateway's
 * own calls (comparisons, replays) do not come through here at all, they call the pipeline directly with a
 * system identity. CORS preflights carry no credentials by design.
 *
 * The CORS hook is the root's, so it runs before this one: a browser client can read the 401.
 */
export function registerKeyAuth(scope: FastifyInstance, opts: KeyAuthOptions): void {
  const { policies, admin, offLoopback, config } = opts
  const guard = async (req: FastifyRequest) => {
    if (!policies.enabled && !offLoopback()) {
      // Nobody needs to prove anything here, but a signed-in member's UI calls are still logged as theirs, in their
      // workspace.
      const caller = await admin.callerOf(req)
      const identity = typeof caller === 'object' ? adminIdentity(req, caller, config) : undefined
      // The bare admin token stays an open caller here, as every caller is.
      if (identity && identity !== ADMIN) req.identity = identity
      return
    }
    const given = presentedKey(req.headers)
    let refused: unknown
    if (policies.enabled && given !== undefined) {
      try {
        req.identity = { kind: 'key', name: policies.authenticate(given).name }
        return
      } catch (err) {
        refused = err
      }
    }
    const caller = await admin.callerOf(req)
    // Not a service account's token, nor the session of a role that may not run the Playground (modelApiProof).
    const proof = modelApiProof(caller)
    if (typeof caller === 'object' && (proof === 'token' || proof === 'session')) {
      // The signed-in member's Playground and prompt-run calls are logged as theirs, in their workspace (team mode).
      req.identity = adminIdentity(req, caller, config)
      return
    }
    if (refused) throw refused
    if (proof === 'session-without-csrf') {
      throw new GatewayError('authentication', `calls made with the web UI session need the header ${CSRF_HEADER}: 1`, {
        code: 'csrf_header_required',
      })
    }
    // No key configured here means off loopback: say what is missing rather than "invalid key".
    if (!policies.enabled) {
      throw new GatewayError(
        'authentication',
        'this gateway listens beyond loopback and has no client keys: configure `keys:` to call its model APIs',
        { code: 'invalid_api_key' },
      )
    }
    policies.authenticate(given)
  }

  /**
   * A call on a keyless loopback gateway in solo mode that carries no session cookie and names no workspace: the
   * admin token is an open caller there (see above), so there is nothing to look up. This is every model call of a
   * local tool, and looking its bearer up cost a SHA-256 and a promise each.
   */
  const openSoloCall = (req: FastifyRequest) =>
    !policies.enabled &&
    req.headers.cookie === undefined &&
    req.headers[WORKSPACE_HEADER] === undefined &&
    admin.team?.mode() !== 'team' &&
    !offLoopback()

  scope.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'OPTIONS' || openSoloCall(req)) return done()
    guard(req).then(() => done(), done)
  })
}
