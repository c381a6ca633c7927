import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { parseConfig } from '../../src-gateway/config/load.js'
import { buildGateway } from '../../src-gateway/server.js'
import { ADMIN_ENV, TEST_ADMIN_TOKEN } from '../helpers/gateway.js'

export const CSRF = { 'x-switchyard-csrf': '1' }
export const ADMIN_BEARER = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
export const TEAM_YAML = 'discovery: { enabled: false }\nauth: { mode: team }\n'

export interface TeamGateway {
  app: FastifyInstance
  url: string
  dir: string
  /** fetch `url + path` with a JSON body (when given) and the headers. */
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>
  close(): Promise<void>
}

export const tempDir = () => mkdtempSync(join(tmpdir(), 'switchyard-team-'))

/** A gateway on a free loopback port, with a data dir (a fresh one unless given: the same one is a restart). */
export async function startTeamGateway(
  opts: { dir?: string; yaml?: string; clock?: () => number; env?: Record<string, string> } = {},
): Promise<TeamGateway> {
  const dir = opts.dir ?? tempDir()
  const app = buildGateway(parseConfig(opts.yaml ?? TEAM_YAML, 'yaml', { ...ADMIN_ENV, ...opts.env }), {
    webRoot: false,
    dataDir: dir,
    configPath: join(dir, 'config.yaml'),
    context: opts.clock ? { clock: opts.clock } : undefined,
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const call: TeamGateway['call'] = (path, init = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  return { app, url, dir, call, close: () => app.close() }
}

/** The session cookie a sign-in answer sets, as a `cookie` header value. */
export function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie')
  if (!set) throw new Error(`no cookie set (status ${res.status})`)
  return set.split(';')[0]
}

export const OWNER = { email: 'olga@example.com', name: 'Olga Owner', password: 'correct horse battery' }

/** Creates the first owner through the setup link and answers their session cookie. */
export async function setUpOwner(gw: TeamGateway, owner = OWNER): Promise<string> {
  const token = await gw.app.team.setupToken()
  if (!token) throw new Error('no setup token: an owner exists or team mode is off')
  const res = await gw.call('/auth/setup', { body: { token, ...owner } })
  if (res.status !== 204) throw new Error(`setup answered ${res.status}: ${await res.text()}`)
  return cookieOf(res)
}

export async function login(gw: TeamGateway, email: string, password: string, totp?: string): Promise<Response> {
  return gw.call('/auth/login', { body: { email, password, ...(totp === undefined ? {} : { totp }) } })
}
