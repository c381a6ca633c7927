import type { FastifyInstance } from 'fastify'

const RUNNING = 'Ollama is running'

function isRoot(url: string): boolean {
  return url === '/' || url.startsWith('/?')
}

/**
 * `GET|HEAD /` is how Ollama clients check that a server is up: they want 200 and, some of them, the text
 * `Ollama is running`. Browsers asking for HTML still get the web UI when one is served there; without
 * one, everyone gets the text. A hook rather than a route, because the static plugin owns `/` when the UI
 * is built.
 */
export function registerRootProbe(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (!isRoot(req.url) || (req.method !== 'GET' && req.method !== 'HEAD')) return done()
    const browser = req.headers.accept?.includes('text/html') === true
    // No matched route means no web UI at `/`.
    if (browser && req.routeOptions.url !== undefined) return done()
    reply.type('text/plain; charset=utf-8').send(RUNNING)
  })
}
