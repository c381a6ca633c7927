import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { LoadedConfig } from '../config/load.js'
import { sealPlainSecrets } from '../config/secret-fields.js'
import type { ConfigStore } from '../config/store.js'
import type { Db } from '../store/db.js'
import type { AuditActor, AuditStore } from './audit-store.js'
import { AUDITED_ROUTES, type AuditedRoute, type AuditScope } from './audited-routes.js'
import { configView, promptsView, promptView } from './state-views.js'
import { type AuditChange, diffValues } from './value-diff.js'

/** Records admin changes; routes that change more than config and prompts (backup files) call it themselves. */
export interface AuditLog {
  /**
   * `workspaces`: whose members may read the entry (`*`: every workspace's); absent: owners and admins only.
   * Resolves once it is stored (await it before answering, so the entry is listed by then); never rejects: an entry
   * that cannot be written is logged, the change it records is made all the same.
   */
  record(
    req: FastifyRequest,
    entry: { action: string; target: string | null; diff: AuditChange[]; workspaces?: readonly string[] },
  ): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog
  }
  interface FastifyRequest {
    /** State before a mutating admin call, compared with the state after it once it answers. */
    auditBefore?: StateBefore
  }
}

interface StateBefore {
  config: LoadedConfig
  secrets: Map<string, string>
  scoped: Record<string, unknown> | undefined
  /** The workspaces the route's subject belonged to before the change. */
  workspaces: readonly string[]
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const MAX_USER_AGENT = 300
/** Shorter values are too common to scrub from text without mangling it, and no credential is this short. */
const MIN_SCRUBBED = 8

/**
 * Who called: the admin token's owner as `admin-token` (bearer) or `session` (the web UI signed in with it), or in
 * team mode the person or service account the admin guard found (`person:<id>`, `service:<id>`, with its name).
 */
function actorOf(req: FastifyRequest): AuditActor {
  const p = req.principal
  const who =
    p && p.kind !== 'admin-token'
      ? { actor: `${p.kind}:${p.id}`, actorName: p.name }
      : { actor: req.adminProof === 'session' ? 'session' : 'admin-token' }
  return {
    ...who,
    remoteAddress: req.ip ?? null,
    userAgent: req.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null,
  }
}

/** Replaces every known credential value in the diff, should one have reached it by any path. */
function scrub(diff: AuditChange[], values: Iterable<string>): AuditChange[] {
  let text = JSON.stringify(diff)
  for (const v of values) {
    if (v.length < MIN_SCRUBBED) continue
    text = text.replaceAll(JSON.stringify(v).slice(1, -1), '…')
  }
  return JSON.parse(text)
}

/** The sections a config diff touches, as the target of a change made to the config as a whole. */
const sectionsOf = (diff: AuditChange[]) => [...new Set(diff.map((c) => c.path.split('.')[0]))].join(', ') || null

/**
 * The audit trail of admin changes. Around each mutating /admin call, the state it can change is
 * snapshotted before the handler runs and compared after it answers (in onSend, so the entry exists by
 * the time the client sees the answer). One hook covers every route, so no route needs to know about
 * auditing, and a call that changed nothing (a dry-run import, a save identical to the latest version)
 * records nothing; GET /admin/v1/audit reads it (api/admin/audit-routes.ts). Only with a database (`audit`: the data
 * folder's SQLite, or the shared Postgres with config `database`): without one nothing is kept.
 */
export function registerAuditLog(
  app: FastifyInstance,
  opts: { store: ConfigStore; db: Db | undefined; audit: AuditStore | undefined },
): void {
  const { store, db, audit } = opts
  /** Every credential value in force now, by secret name: the store's and any plain one in the file. */
  const secretsNow = () =>
    new Map([
      ...store.secrets.names().map((n): [string, string] => [n, store.secrets.get(n) ?? '']),
      ...sealPlainSecrets(store.current.raw).values,
    ])

  const record: AuditLog['record'] = async (req, entry) => {
    if (!audit) return
    const values = [...(req.auditBefore?.secrets.values() ?? []), ...secretsNow().values()]
    try {
      await audit.insert({ ...actorOf(req), ...entry, diff: scrub(entry.diff, values), requestId: req.id })
    } catch (err) {
      // The change itself is made and answered; a failed audit write must not turn it into an error.
      req.log.error({ err }, 'could not write the audit entry')
    }
  }
  app.decorate('audit', { record })
  if (!audit) return

  const scoped = async (scope: AuditScope | undefined, req: FastifyRequest) => {
    if (scope === 'gateway') return { gateway: { paused: app.gatewayPause.paused } }
    if (scope === 'prompts') return { promptLibrary: await promptsView(app.promptLibrary.prompts) }
    if (scope === 'prompt') {
      const name = (req.params as { name: string }).name
      return { promptLibrary: { [name]: await promptView(app.promptLibrary.prompts, name) } }
    }
    return undefined
  }

  // A prompt's workspace is read from the data folder's database (audited-routes.ts).
  const workspacesOf = (route: AuditedRoute | undefined, req: FastifyRequest): readonly string[] =>
    (db && route?.workspaces?.(req, { config: store.current.raw, db })) || []

  app.addHook('preHandler', async (req) => {
    const url = req.routeOptions.url
    if (!MUTATING.has(req.method) || !url?.startsWith('/admin/')) return
    const route = AUDITED_ROUTES[`${req.method} ${url}`]
    req.auditBefore = {
      config: store.current,
      secrets: secretsNow(),
      scoped: await scoped(route?.scope, req),
      workspaces: workspacesOf(route, req),
    }
  })

  app.addHook('onSend', async (req, reply, payload) => {
    const before = req.auditBefore
    if (!before || reply.statusCode >= 400) return payload
    const route = AUDITED_ROUTES[`${req.method} ${req.routeOptions.url}`]
    // The ConfigStore replaces `current` on every apply, so an unchanged reference means no config change.
    const configDiff =
      before.config === store.current
        ? []
        : diffValues(
            configView(before.config.raw, { get: (n) => before.secrets.get(n) }),
            configView(store.current.raw, store.secrets),
          )
    const diff = [...configDiff, ...diffValues(before.scoped, await scoped(route?.scope, req))]
    if (diff.length === 0) return payload
    try {
      const action = !route
        ? 'config.update'
        : typeof route.action === 'string'
          ? route.action
          : route.action(req, reply.statusCode)
      const target = route?.target(req) ?? sectionsOf(configDiff)
      // Before and after: a key moved between workspaces, or a provider made workspace-only, concerns both.
      const after = workspacesOf(route, req)
      await record(req, { action, target, diff, workspaces: [...before.workspaces, ...after] })
    } catch (err) {
      // The change itself is made and answered; a failed audit write must not turn it into an error.
      req.log.error({ err }, 'could not write the audit entry')
    }
    return payload
  })
}
