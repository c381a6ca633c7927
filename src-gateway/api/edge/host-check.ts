import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../../core/errors.js'
import { isAllowedOrigin } from '../cors.js'

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/
/** Methods that change no state: the Origin and CSRF checks let them through. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The name part of a `Host` header, lowercased: `[::1]:4141` gives `[::1]`, `Localhost:80` gives `localhost`. */
export function hostnameOf(host: string): string {
  const h = host.toLowerCase()
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    return end === -1 ? h : h.slice(0, end + 1)
  }
  const colon = h.indexOf(':')
  return colon === -1 ? h : h.slice(0, colon)
}

/**
 * Names no DNS-rebinding page can present: a rebinding attack needs the attacker's own name in `Host`,
 * and these are loopback names and addresses only.
 */
export function isLoopbackHostname(name: string): boolean {
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    IPV4_LOOPBACK.test(name) ||
    name === '[::1]' ||
    name === '[::ffff:127.0.0.1]'
  )
}

/** Whether a bound socket address is loopback-only (then only this machine can connect). */
export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address.startsWith('::ffff:127.')
}

/**
 * The names a request may address: loopback, plus `server.allowedHosts` (matched with or without the
 * port, so `gateway.example.com` admits `gateway.example.com:443`).
 */
export function isAllowedHost(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!host) return false
  const name = hostnameOf(host)
  return isLoopbackHostname(name) || allowed.has(name) || allowed.has(host.toLowerCase())
}

/** An `Origin` a state-changing request may come from: a local page or app shell, or an allowed host's page. */
export function isTrustedOrigin(origin: string, allowed: ReadonlySet<string>): boolean {
  if (isAllowedOrigin(origin)) return true
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && isAllowedHost(url.host, allowed)
  } catch {
    return false
  }
}

const foreignHost = (host: string | undefined) =>
  new GatewayError(
    'permission',
    `requests for host '${host ?? ''}' are refused: address this gateway as localhost or 127.0.0.1, or add the name to server.allowedHosts`,
    { code: 'host_not_allowed' },
  )

const foreignOrigin = (origin: string) =>
  new GatewayError('permission', `requests that change state are refused from origin '${origin}'`, {
    code: 'origin_not_allowed',
  })

/**
 * The first hook of every request, before static files and every scope's auth. A page that rebinds
 * its own name to 127.0.0.1 is same-origin to itself, so CORS never stops it: only the `Host` it must
 * send gives it away. A cross-site form or `no-cors` fetch can still POST (CORS only hides the answer),
 * so a state-changing request from a foreign `Origin` is refused too. Also sets the headers every
 * response carries.
 */
export function registerEdgeGuard(app: FastifyInstance, allowedHosts: () => ReadonlySet<string>): void {
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    const allowed = allowedHosts()
    const host = req.headers.host
    if (!isAllowedHost(host, allowed)) return done(foreignHost(host))
    const origin = req.headers.origin
    if (origin !== undefined && !SAFE_METHODS.has(req.method) && !isTrustedOrigin(origin, allowed)) {
      return done(foreignOrigin(origin))
    }
    done()
  })
}
