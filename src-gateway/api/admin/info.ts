import type { FastifyInstance } from 'fastify'
import { NoQuerySchema } from '../../../src-shared/contract/common.js'
import type { GatewayInfo, InfoProvider } from '../../../src-shared/contract/info.js'
import { maskSecret } from '../../config/mask.js'
import { maskedUrl } from '../../config/secret-fields.js'
import { isLocalProvider } from '../../pricing/locality.js'
import { VERSION } from '../../version.js'

/** GET /admin/v1/info: what the UI's header and status page show. Never includes secrets. */
export function registerAdminInfo(app: FastifyInstance, opts: { dataDir?: string }): void {
  app.get(
    '/admin/v1/info',
    { config: { permission: 'settings:read' }, schema: { querystring: NoQuerySchema } },
    async (): Promise<GatewayInfo> => {
      const resolved = app.gatewayConfig.resolved.providers ?? {}
      const providers = Object.entries(app.gatewayConfig.raw.providers ?? {}).map(
        ([id, p]): InfoProvider => ({
          id,
          type: p.type,
          // As written: references stay, a plain credential in it (a hand-edited file) is masked.
          baseUrl: p.baseUrl ? maskedUrl(p.baseUrl, maskSecret) : null,
          // Whether a key resolved, never the key itself.
          hasApiKey: Boolean(resolved[id]?.apiKey),
          // Free and counted as local (Overview's local vs cloud share): the pricing rule's own answer.
          local: isLocalProvider(resolved[id] ?? p),
        }),
      )
      return {
        name: 'Switchyard',
        version: VERSION,
        node: process.versions.node,
        startedAt: new Date(app.startedAt).toISOString(),
        uptimeSeconds: Math.round((Date.now() - app.startedAt) / 1000),
        dataDir: opts.dataDir ?? null,
        // False with `serve --no-log` or without a data dir: the UI then says logging is off instead of erroring.
        logging: app.db !== undefined,
        providers,
        routes: Object.keys(app.gatewayConfig.raw.routes ?? {}),
      }
    },
  )
}
