import { createReadStream } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { type BackupParams, BackupParamsSchema, CreateBackupSchema } from '../../../src-shared/contract/backups.js'
import { NoBodySchema, NoQuerySchema } from '../../../src-shared/contract/common.js'
import { type BackupService, createBackupService } from '../../backup/backup-service.js'
import type { ConfigStore } from '../../config/store.js'
import { GatewayError } from '../../core/errors.js'
import type { PromptStore } from '../../prompts/prompt-store.js'
import type { Db } from '../../store/db.js'
import { applying } from './admin-errors.js'

/** Looks for a missed daily backup this often; the check is a directory listing. */
const DAILY_CHECK_MS = 3_600_000

/**
 * /admin/v1/backups: list, take one now, download, preview and restore, delete; plus the daily
 * snapshot (at start when the newest is a day old, then checked hourly). Backups live in the data dir,
 * so without one the routes answer 503 and this returns no service.
 */
export function registerBackups(
  app: FastifyInstance,
  opts: {
    store: ConfigStore
    db: Db | undefined
    /** The prompt library a backup holds (the shared one with `database`). */
    prompts: PromptStore
    dataDir: string | undefined
    clock?: () => number
  },
): BackupService | undefined {
  const { store, db, dataDir, prompts } = opts
  // Backup files live in the data folder, which a gateway opening no database there (--no-log) does not write.
  const backups = db && dataDir ? createBackupService({ dataDir, prompts, store, clock: opts.clock }) : undefined
  const service = () => {
    if (backups) return backups
    throw new GatewayError(
      'internal',
      "backups copy the data dir's database and the gateway runs without one (started with --no-log, or without a data dir: --data-dir or SWITCHYARD_DATA_DIR)",
      { status: 503, code: 'storage_unavailable' },
    )
  }

  if (backups) {
    let timer: NodeJS.Timeout | undefined
    const daily = () => backups.ensureDaily().catch((err) => app.log.error({ err }, 'daily backup failed'))
    app.addHook('onReady', async () => {
      await daily()
      timer = setInterval(daily, DAILY_CHECK_MS)
      timer.unref()
    })
    app.addHook('onClose', async () => clearInterval(timer))
  }

  app.get(
    '/admin/v1/backups',
    { config: { permission: 'settings:write' }, schema: { querystring: NoQuerySchema } },
    async () => {
      const items = service().list()
      return { items, total: items.length, nextCursor: null }
    },
  )

  app.post(
    '/admin/v1/backups',
    { config: { permission: 'settings:write' }, schema: { body: CreateBackupSchema } },
    async (req, reply) => {
      const item = await service().create('manual')
      await app.audit.record(req, {
        action: 'backup.create',
        target: item.id,
        diff: [{ path: `backups.${item.id}`, after: item }],
      })
      return reply.code(201).send(item)
    },
  )

  app.get<{ Params: BackupParams }>(
    '/admin/v1/backups/:id',
    { config: { permission: 'settings:write' }, schema: { params: BackupParamsSchema } },
    async (req, reply) => {
      const path = service().path(req.params.id)
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="switchyard-backup-${req.params.id}.json"`)
        .send(createReadStream(path))
    },
  )

  app.get<{ Params: BackupParams }>(
    '/admin/v1/backups/:id/preview',
    { config: { permission: 'settings:write' }, schema: { params: BackupParamsSchema } },
    async (req) => service().preview(req.params.id),
  )

  // Recorded by the audit hook, with the config and prompt changes it made.
  app.post<{ Params: BackupParams }>(
    '/admin/v1/backups/:id/restore',
    { config: { permission: 'settings:write' }, schema: { params: BackupParamsSchema, body: NoBodySchema } },
    async (req) => applying(() => service().restore(req.params.id)),
  )

  app.delete<{ Params: BackupParams }>(
    '/admin/v1/backups/:id',
    { config: { permission: 'settings:write' }, schema: { params: BackupParamsSchema } },
    async (req, reply) => {
      const { id } = req.params
      const item = service()
        .list()
        .find((b) => b.id === id)
      service().remove(id)
      await app.audit.record(req, {
        action: 'backup.delete',
        target: id,
        diff: [{ path: `backups.${id}`, before: item }],
      })
      return reply.code(204).send()
    },
  )

  return backups
}
