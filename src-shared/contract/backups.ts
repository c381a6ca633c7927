import { type Static, Type } from 'typebox'
import { ConfigChangeSchema, ConfigProblemSchema, ListPageSchema, NoQuerySchema } from './common.js'

export const BACKUP_REASONS = ['daily', 'pre-import', 'manual', 'pre-restore'] as const
export type BackupReason = (typeof BACKUP_REASONS)[number]

/** `:id` of /admin/v1/backups/:id and its preview and restore. */
export const BackupParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z-]{1,80}$' }) })
export type BackupParams = Static<typeof BackupParamsSchema>
/** POST /admin/v1/backups takes no body: a backup is the config and prompts as they are now. */
export const CreateBackupSchema = Type.Union([NoQuerySchema, Type.Null()])

export const BackupItemSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  reason: Type.Enum(BACKUP_REASONS),
  sizeBytes: Type.Integer(),
})
export type BackupItem = Static<typeof BackupItemSchema>
export const BackupPageSchema = ListPageSchema(BackupItemSchema)

/** GET /admin/v1/backups/:id/preview: what restoring it would change. */
export const RestorePreviewSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  reason: BackupItemSchema.properties.reason,
  appVersion: Type.String(),
  valid: Type.Boolean(),
  errors: Type.Array(ConfigProblemSchema),
  changes: Type.Array(ConfigChangeSchema),
  /** Prompt names the restore adds back, removes, and replaces with the backup's versions or labels. */
  prompts: Type.Object({
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    changed: Type.Array(Type.String()),
  }),
})
export type RestorePreview = Static<typeof RestorePreviewSchema>

/** POST /admin/v1/backups/:id/restore. */
export const RestoreResultSchema = Type.Object({
  restored: Type.String(),
  /** The snapshot taken just before, to undo the restore with. */
  preRestore: BackupItemSchema,
  changes: Type.Array(ConfigChangeSchema),
  missingEnv: Type.Array(Type.String()),
  missingSecrets: Type.Array(Type.String()),
})
export type RestoreResult = Static<typeof RestoreResultSchema>
