import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { compileProblems } from '../../config/validate.js'
import { GatewayError } from '../../core/errors.js'
import { invalidBody } from './admin-errors.js'

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

const PauseBody = Type.Object({ paused: Type.Boolean() }, { additionalProperties: false })
const pauseProblems = compileProblems(PauseBody)

/** The tray's "pause gateway" and GET/PUT /admin/v1/gateway. */
export function registerPauseSwitch(app: FastifyInstance): void {
  let paused = false
  app.decorate('gatewayPause', {
    get paused() {
      return paused
    },
    set(value: boolean) {
      paused = value
    },
  })
  app.addHook('onRequest', async (req) => {
    if (paused && MODEL_API.test(req.routeOptions.url ?? '')) {
      throw new GatewayError('upstream_overloaded', 'Switchyard is paused; resume it from the tray or the app', {
        status: 503,
        code: 'gateway_paused',
        retryAfter: '30',
      })
    }
  })
  app.get('/admin/v1/gateway', async () => ({ paused }))
  app.put('/admin/v1/gateway', async (req) => {
    const problems = pauseProblems(req.body)
    if (problems.length > 0) throw invalidBody(problems)
    paused = (req.body as { paused: boolean }).paused
    return { paused }
  })
}
