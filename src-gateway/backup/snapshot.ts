import { type Static, Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { BACKUP_REASONS, type BackupReason } from '../../src-shared/contract/backups.js'
import type { GatewayConfig } from '../config/schema.js'
import { sealPlainSecrets } from '../config/secret-fields.js'
import { PromptContentSchema } from '../prompts/content.js'
import type { Db } from '../store/db.js'
import { VERSION } from '../version.js'

export const BACKUP_FORMAT = 'switchyard-backup/1'
export { BACKUP_REASONS, type BackupReason }

const Target = Type.Union([
  Type.Object({ version: Type.Integer({ minimum: 1 }) }),
  Type.Object({ split: Type.Array(Type.Object({ version: Type.Integer({ minimum: 1 }), weight: Type.Number() })) }),
])
const PromptBackupSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String({ minLength: 1 }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  versions: Type.Array(
    Type.Object({
      id: Type.Integer(),
      version: Type.Integer({ minimum: 1 }),
      contentHash: Type.String(),
      content: PromptContentSchema,
      note: Type.Union([Type.String(), Type.Null()]),
      author: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.String(),
    }),
    { minItems: 1 },
  ),
  labels: Type.Array(Type.Object({ label: Type.String(), target: Target, updatedAt: Type.String() })),
  labelMoves: Type.Array(
    Type.Object({
      label: Type.String(),
      from: Type.Union([Target, Type.Null()]),
      to: Type.Union([Target, Type.Null()]),
      createdAt: Type.String(),
    }),
  ),
})
const BackupSchema = Type.Object({
  format: Type.Literal(BACKUP_FORMAT),
  createdAt: Type.String(),
  reason: Type.Enum(BACKUP_REASONS),
  appVersion: Type.String(),
  config: Type.Unsafe<GatewayConfig>(Type.Object({}, { additionalProperties: true })),
  prompts: Type.Array(PromptBackupSchema),
})

/** One prompt with every version, label and label move, ids included so comparison runs keep pointing at them. */
export type PromptBackup = Static<typeof PromptBackupSchema>
/** A backup file: the configuration as written to disk (credentials as references only) and the prompt library. */
export type Backup = Static<typeof BackupSchema>

const checkBackup = Compile(BackupSchema)

export class BackupFormatError extends Error {
  override name = 'BackupFormatError'
}

/** Reads a backup file's text; the config inside is validated when it is restored, like an import. */
export function parseBackup(text: string): Backup {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new BackupFormatError(`not a Switchyard backup: ${(err as Error).message}`)
  }
  if (!checkBackup.Check(data)) {
    const e = [...checkBackup.Errors(data)][0]
    throw new BackupFormatError(`not a ${BACKUP_FORMAT} file: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`)
  }
  return data
}

/** The whole prompt library, straight from its tables. */
export function dumpPrompts(db: Db): PromptBackup[] {
  const prompts = db.prepare('SELECT id, name, created_at, updated_at FROM prompts ORDER BY id').all() as {
    id: number
    name: string
    created_at: string
    updated_at: string
  }[]
  const versions = db.prepare(
    `SELECT id, version, content_hash, content_json, note, author, created_at FROM prompt_versions
     WHERE prompt_id = ? ORDER BY version`,
  )
  const labels = db.prepare(
    'SELECT label, target_json, updated_at FROM prompt_labels WHERE prompt_id = ? ORDER BY label',
  )
  const moves = db.prepare(
    'SELECT label, from_json, to_json, created_at FROM prompt_label_moves WHERE prompt_id = ? ORDER BY id',
  )
  const json = (s: string | null) => (s === null ? null : JSON.parse(s))
  return prompts.map((p) => ({
    id: p.id,
    name: p.name,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
    versions: (versions.all(p.id) as Record<string, string | number | null>[]).map((v) => ({
      id: v.id as number,
      version: v.version as number,
      contentHash: v.content_hash as string,
      content: JSON.parse(v.content_json as string),
      note: v.note as string | null,
      author: v.author as string | null,
      createdAt: v.created_at as string,
    })),
    labels: (labels.all(p.id) as { label: string; target_json: string; updated_at: string }[]).map((l) => ({
      label: l.label,
      target: JSON.parse(l.target_json),
      updatedAt: l.updated_at,
    })),
    labelMoves: (
      moves.all(p.id) as { label: string; from_json: string | null; to_json: string | null; created_at: string }[]
    ).map((m) => ({ label: m.label, from: json(m.from_json), to: json(m.to_json), createdAt: m.created_at })),
  }))
}

/**
 * Replaces the prompt library with a backup's, in one transaction: the same prompts, version numbers,
 * content, notes, authors, times, labels and label history as when it was taken.
 */
export function restorePrompts(db: Db, prompts: readonly PromptBackup[]): void {
  const insertPrompt = db.prepare('INSERT INTO prompts (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
  const insertVersion = db.prepare(
    `INSERT INTO prompt_versions (id, prompt_id, version, content_hash, content_json, note, author, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertLabel = db.prepare(
    'INSERT INTO prompt_labels (prompt_id, label, target_json, updated_at) VALUES (?, ?, ?, ?)',
  )
  const insertMove = db.prepare(
    'INSERT INTO prompt_label_moves (prompt_id, label, from_json, to_json, created_at) VALUES (?, ?, ?, ?, ?)',
  )
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v))
  db.transaction(() => {
    // Versions, labels and moves go with their prompt (ON DELETE CASCADE).
    db.prepare('DELETE FROM prompts').run()
    for (const p of prompts) {
      insertPrompt.run(p.id, p.name, p.createdAt, p.updatedAt)
      for (const v of p.versions) {
        insertVersion.run(
          v.id,
          p.id,
          v.version,
          v.contentHash,
          JSON.stringify(v.content),
          v.note,
          v.author,
          v.createdAt,
        )
      }
      for (const l of p.labels) insertLabel.run(p.id, l.label, JSON.stringify(l.target), l.updatedAt)
      for (const m of p.labelMoves) insertMove.run(p.id, m.label, json(m.from), json(m.to), m.createdAt)
    }
  })()
}

/**
 * A backup of `config` and the prompt library `prompts` (dumpPrompts). Plain credentials a hand-edited file may hold
 * are replaced by the `${secret:…}` references the gateway would seal them under, so no key value is ever copied.
 */
export function takeSnapshot(config: GatewayConfig, prompts: PromptBackup[], reason: BackupReason, now: Date): Backup {
  return {
    format: BACKUP_FORMAT,
    createdAt: now.toISOString(),
    reason,
    appVersion: VERSION,
    config: sealPlainSecrets(config).raw,
    prompts,
  }
}
