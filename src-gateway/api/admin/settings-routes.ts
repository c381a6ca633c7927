import type { FastifyInstance } from 'fastify'
import {
  type GatewaySettings,
  type SettingsBody,
  SettingsBodySchema,
  SettingsQuerySchema,
} from '../../../src-shared/contract/settings.js'
import { maskSecret } from '../../config/mask.js'
import { maskedUrl } from '../../config/secret-fields.js'
import type { ConfigStore } from '../../config/store.js'
import { redisSettings } from '../../shared-state/settings.js'
import { DEFAULT_RETENTION } from '../../store/retention.js'
import { applying } from './admin-errors.js'
import { mergeFields } from './merge-fields.js'

/**
 * Log settings the request log reads once, when the gateway starts: retention runs on a timer built
 * then, the body key is resolved then, and the writer's queue is sized then. `storeBodies` switches body
 * capture live.
 */
const READ_AT_START = ['encryptBodies', 'maxQueueRows'] as const

/** GET and PUT /admin/v1/settings: where the gateway runs and keeps its data, and log retention. */
export function registerSettingsRoutes(app: FastifyInstance, store: ConfigStore, dataDir: string | undefined): void {
  const atStart = { ...store.current.resolved.logs }
  // Connected once, at start: the section as written then is the one in force.
  const redisAtStart = JSON.stringify(store.current.raw.redis)
  const databaseAtStart = JSON.stringify(store.current.raw.database)
  const databaseView = (): GatewaySettings['database'] => {
    const running = app.logDatabase
    if (!running) return undefined
    // The --database flag's URL, or the config's as written at start (a reference stays one); the password masked.
    const raw = JSON.parse(databaseAtStart ?? 'null') as string | null
    const url = running.fromFlag || raw === null ? running.url : raw
    return { url: maskedUrl(url, maskSecret), state: running.available() ? 'ok' : 'unavailable' }
  }
  const redisView = (): GatewaySettings['redis'] => {
    const raw = store.current.raw.redis
    const running = redisSettings(app.gatewayConfig.resolved)
    if (raw === undefined || !running) return undefined
    const url = typeof raw === 'string' ? raw : raw.url
    return {
      url: maskedUrl(url, maskSecret),
      keyPrefix: running.keyPrefix,
      onUnavailable: running.onUnavailable,
      state: app.gateway.shared?.available() ? 'ok' : 'unavailable',
    }
  }
  const view = (): GatewaySettings => {
    const addr = app.server.address()
    const logs = store.current.resolved.logs ?? {}
    const changed = READ_AT_START.filter((k) => logs[k] !== atStart[k])
    return {
      host: typeof addr === 'object' && addr ? addr.address : null,
      port: typeof addr === 'object' && addr ? addr.port : null,
      dataDir: dataDir ?? null,
      configPath: store.writePath ?? null,
      logs: {
        maxAgeDays: logs.maxAgeDays ?? DEFAULT_RETENTION.maxAgeDays,
        maxDbMb: logs.maxDbMb ?? DEFAULT_RETENTION.maxDbMb,
        storeBodies: logs.storeBodies ?? true,
        // As the gateway runs (read at start): the Logs page says search covers metadata only when on.
        encryptBodies: app.requestLog.encryptsBodies,
      },
      secretsPersisted: store.secrets.persisted,
      // The stores built for the gateway (config/secrets.ts) and the desktop app (src-main) are these three.
      secretStore: store.secrets.kind as GatewaySettings['secretStore'],
      /** Settings changed since start that take effect at the next start. */
      restartRequired: [
        ...changed.map((k) => `logs.${k}`),
        ...(JSON.stringify(store.current.raw.redis) === redisAtStart ? [] : ['redis']),
        ...(JSON.stringify(store.current.raw.database) === databaseAtStart ? [] : ['database']),
      ],
      redis: redisView(),
      database: databaseView(),
    }
  }

  app.get(
    '/admin/v1/settings',
    { config: { permission: 'settings:read' }, schema: { querystring: SettingsQuerySchema } },
    async () => view(),
  )

  app.put<{ Body: SettingsBody }>(
    '/admin/v1/settings',
    { config: { permission: 'settings:write' }, schema: { body: SettingsBodySchema } },
    async (req) => {
      // The log settings given change, `null` goes back to the default, the rest stay (see mergeFields).
      applying(() =>
        store.update((d) => {
          d.logs = mergeFields(d.logs, req.body.logs ?? {})
        }),
      )
      return view()
    },
  )
}
