import type { FastifyInstance } from 'fastify'
import { type PauseBody, PauseBodySchema, SettingsQuerySchema } from '../../../src-shared/contract/settings.js'
import { GatewayError } from '../../core/errors.js'

export interface PauseSwitch {
  readonly paused: boolean
  set(paused: boolean): void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Pausing refuses model calls (503) while the UI and admin API keep working. */
    gatewayPause: PauseSwitch
  }
}

/** The inbound model APIs: OpenAI, Anthropic and Responses under /v1, Ollama's under /api. */
const MODEL_API = /^\/(v1|api)\//

/** The pause switch itself, on the root instance: the tray (Electron main) flips it there. */
export function decoratePauseSwitch(app: FastifyInstance): void {
  let paused = false
  app.decorate('gatewayPause', {
    get paused() {
      return paused
    },
    set(value: boolean) {
      paused = value
    },
  })
}

/** What a model call gets while the gateway is paused (the comparison runner's own calls too). */
export function pausedError(): GatewayError {
  return new GatewayError('upstream_overloaded', 'Switchyard is paused; resume it from the tray or the app', {
    status: 503,
    code: 'gateway_paused',
    retryAfter: '30',
  })
}

/** In the model-API scope: while paused, model calls get 503 (listings and /metrics keep answering). */
export function refuseWhilePaused(scope: FastifyInstance): void {
  // A callback hook: an async one costs every model call a promise.
  scope.addHook('onRequest', (req, _reply, done) => {
    if (scope.gatewayPause.paused && MODEL_API.test(req.routeOptions.url ?? '')) return done(pausedError())
    done()
  })
}

/** GET/PUT /admin/v1/gateway, in the admin scope. */
export function registerPauseRoutes(scope: FastifyInstance): void {
  scope.get(
    '/admin/v1/gateway',
    { config: { permission: 'settings:read' }, schema: { querystring: SettingsQuerySchema } },
    async () => ({
      paused: scope.gatewayPause.paused,
    }),
  )
  scope.put<{ Body: PauseBody }>(
    '/admin/v1/gateway',
    { config: { permission: 'settings:write' }, schema: { body: PauseBodySchema } },
    async (req) => {
      scope.gatewayPause.set(req.body.paused)
      return { paused: scope.gatewayPause.paused }
    },
  )
}
