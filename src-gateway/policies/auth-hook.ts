import { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { presentedKey } from './keys.js'
import type { Policies } from './policies.js'

/** The model APIs (OpenAI, Anthropic, Responses under /v1, Ollama under /api); /health, /admin and the UI are not. */
const isModelApi = (url: string) => url.startsWith('/v1/') || url.startsWith('/api/')

/**
 * Requires a virtual key on the model APIs once any key is configured, and names the caller's key on
 * the request (`req.keyName`). The matched route is checked, not the raw URL, so `//v1/…` is covered too.
 *
 * Calls made with `app.inject` (the prompt and comparison runners call the gateway's own API in-process)
 * pass without a key: their socket is light-my-request's mock, never a `net.Socket`, and nothing from
 * the network can arrive without one. Such calls are started only by code already inside the process,
 * behind /admin or behind an authenticated /v1 call. CORS preflights carry no credentials by design.
 *
 * Registered as a plugin after CORS so its hook runs after the CORS one: a browser client can then read
 * the 401.
 */
export function registerKeyAuth(app: FastifyInstance, policies: Policies): void {
  app.register(
    fp(async (scope) => {
      scope.addHook('onRequest', async (req) => {
        if (!policies.enabled || req.method === 'OPTIONS') return
        const url = req.routeOptions.url
        if (!url || !isModelApi(url) || !(req.raw.socket instanceof Socket)) return
        req.keyName = policies.authenticate(presentedKey(req.headers)).name
      })
    }),
  )
}
