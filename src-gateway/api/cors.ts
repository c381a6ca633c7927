import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

// Browser clients (SDKs with dangerouslyAllowBrowser, Open WebUI direct connections, web playgrounds) call
// the gateway from another origin. Like Ollama's OLLAMA_ORIGINS default, only pages served from this
// machine and desktop/editor app shells may: a random website must not spend the user's provider keys.

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0'])
const APP_SCHEMES = new Set(['app:', 'file:', 'tauri:', 'vscode-webview:'])

export function isAllowedOrigin(origin: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (APP_SCHEMES.has(url.protocol)) return true
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname)
}

/** Headers a browser client may read: the request id, which provider and model answered, limits, file names. */
// Joined once: the plugin joins an array on every request.
const EXPOSED_HEADERS = [
  'x-request-id',
  'x-switchyard-provider',
  'x-switchyard-model',
  'x-switchyard-cache',
  'x-switchyard-attempts',
  'retry-after',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
  // The desktop window saves exports and backups under the gateway's file name.
  'content-disposition',
  // A browser MCP client (a local page, the Inspector) reads its session id to send it back (/mcp).
  'mcp-session-id',
].join(', ')

/**
 * Registers CORS for every route. Requests without an Origin (CLIs, SDKs on Node, same-origin web UI
 * GETs) pass untouched: they get no CORS headers but `Vary: Origin`, which a browser would not read anyway.
 * Request headers are reflected in preflights, which covers the open-ended sets the SDKs send
 * (`x-stainless-*`, `anthropic-*`, `openai-*`).
 */
export function registerCors(app: FastifyInstance): void {
  app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && isAllowedOrigin(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  })
}
