import { existsSync } from 'node:fs'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/**
 * The built UI loads only its own files; React and recharts set `style` attributes, which need
 * 'unsafe-inline' for styles (never for scripts). `frame-ancestors 'none'` stops another site from
 * framing the UI to trick clicks on it.
 */
const WEB_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** The web UI's scope: its static files, each with the CSP (nosniff and no-referrer come from the edge guard). */
export async function webUiScope(scope: FastifyInstance, opts: { root: string }): Promise<void> {
  if (!existsSync(opts.root)) return
  scope.addHook('onRequest', (_req, reply, done) => {
    reply.header('content-security-policy', WEB_UI_CSP)
    done()
  })
  await scope.register(fastifyStatic, { root: opts.root, wildcard: false, index: 'index.html' })
  // The team setup link `switchyard serve` prints (`/setup?token=…`) is a page of the app, which reads the token.
  scope.get('/setup', (_req, reply) => reply.sendFile('index.html'))
}
